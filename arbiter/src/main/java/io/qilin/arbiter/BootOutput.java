package io.qilin.arbiter;

import io.qilin.arbiter.posix.Processes;
import io.qilin.worker.protocol.FileDescriptors;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a worker JVM prints on its stdout and stderr (one pipe) before Qilin's code takes them over:
 * the JVM's own message when it refuses to start ({@code Unrecognized VM option 'NoSuchOption'}),
 * warnings, {@code setpriv}'s errors. Held while the worker boots: if it dies, the master reports
 * them in one line ({@link #summary()}); once it is ready they are printed, and whatever the JVM
 * itself prints later (a thread dump on QUIT) is passed on. One reader thread per worker, ending
 * when the worker exits.
 */
public final class BootOutput {
    /** Lines held while booting; past this many, they are passed on at once (-XX:+PrintFlagsFinal prints 700). */
    private static final int MAX_HELD_LINES = 2000;
    /** Lines in the report; a JVM that cannot start prints two or three. */
    private static final int SUMMARY_LINES = 5;
    private static final int MAX_LINE_CHARS = 400;
    private static final int READ_BUFFER = 4096;
    /** How long {@link #summary()} waits for the last bytes of a worker that has exited. */
    private static final long DRAIN_MILLIS = 1000;
    /** The java launcher's lines after the VM's own message: they say nothing more. */
    private static final Set<String> BOILERPLATE = Set.of("Error: Could not create the Java Virtual Machine.",
            "Error: A fatal exception has occurred. Program will exit.");

    private final int writeFd;
    private final Thread reader;
    private final PrintStream forwardTo;
    private final List<String> held = new ArrayList<>();
    private boolean forwarding;

    private BootOutput(int readFd, int writeFd, PrintStream forwardTo) throws IOException {
        this.writeFd = writeFd;
        this.forwardTo = forwardTo;
        InputStream in;
        try {
            in = new FileInputStream(FileDescriptors.newFd(readFd));
        } catch (ReflectiveOperationException e) {
            Processes.close(readFd);
            Processes.close(writeFd);
            throw new IOException("cannot read a worker's output: " + e, e);
        }
        this.reader = new Thread(() -> readLines(in), "worker-output");
        reader.setDaemon(true);
    }

    /** A new pipe; give {@link #writeFd()} to the worker, then call {@link #spawned}. */
    public static BootOutput open(PrintStream forwardTo) throws IOException {
        int[] pipe = Processes.pipe();
        return new BootOutput(pipe[0], pipe[1], forwardTo);
    }

    public int writeFd() {
        return writeFd;
    }

    /** The worker holds the write end now: the master closes its own, so the pipe ends when the worker does. */
    public void spawned(long pid) {
        Processes.close(writeFd);
        reader.setName("worker-output-" + pid);
        reader.start();
    }

    /** The worker could not be started: nothing will write. */
    public void discard() {
        Processes.close(writeFd);
        reader.start();   // reads EOF at once and closes the read end
    }

    /** The worker is ready: print what it held, and pass on whatever comes later. */
    synchronized void ready() {
        held.forEach(forwardTo::println);
        held.clear();
        forwarding = true;
    }

    /**
     * What the worker printed while booting, as one line, once it has exited; empty if nothing.
     * The launcher's closing boilerplate is left out.
     */
    public String summary() {
        try {
            reader.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            return held.stream().map(String::strip).filter(l -> !l.isEmpty() && !BOILERPLATE.contains(l))
                    .limit(SUMMARY_LINES).collect(Collectors.joining("; "));
        }
    }

    private void readLines(InputStream in) {
        StringBuilder line = new StringBuilder();
        byte[] buffer = new byte[READ_BUFFER];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                String chunk = new String(buffer, 0, n, StandardCharsets.UTF_8);
                for (int i = 0; i < chunk.length(); i++) {
                    char c = chunk.charAt(i);
                    if (c == '\n') {
                        line(line.toString());
                        line.setLength(0);
                    } else if (line.length() < MAX_LINE_CHARS) {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe broke: nothing more to read
        }
        if (line.length() > 0) {
            line(line.toString());
        }
    }

    private synchronized void line(String text) {
        if (!forwarding && held.size() >= MAX_HELD_LINES) {
            ready();
        }
        if (forwarding) {
            forwardTo.println(text);
        } else {
            held.add(text);
        }
    }
}
