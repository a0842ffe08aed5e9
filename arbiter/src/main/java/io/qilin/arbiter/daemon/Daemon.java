package io.qilin.arbiter.daemon;

import io.qilin.arbiter.posix.LibC;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Spawner;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The launching side of {@code -D}: starts the master again in a new session, then waits for its
 * {@link StartupReport}. Exit 0 once it reports ready; on failure, its message as one
 * {@code qilin: error:} line and a non-zero exit, so scripts and init systems see what happened.
 */
public final class Daemon {
    /** Set in the detached master, so it does not detach again. */
    public static final String DAEMONIZED = "QILIN_DAEMONIZED";
    private static final String EOF = "";

    private final PrintStream err;

    public Daemon(PrintStream err) {
        this.err = err;
    }

    /**
     * Starts {@code command} detached and waits up to {@code patience} for its report.
     *
     * @return the exit code for the launcher
     */
    public int launch(List<String> command, Duration patience) {
        int[] pipe = new int[2];
        if (LibC.INSTANCE.pipe(pipe) != 0) {
            err.println("qilin: error: cannot daemonize: pipe() failed");
            return 1;
        }
        Map<String, String> env = new TreeMap<>(System.getenv());
        env.put(DAEMONIZED, "1");
        env.put(StartupReport.FD_VARIABLE, "3");
        int pid;
        BufferedReader reports;
        try {
            pid = new Spawner().spawnDetached(command, env, List.of(pipe[1]));
            reports = new BufferedReader(new InputStreamReader(new FileInputStream("/proc/self/fd/" + pipe[0]),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("qilin: error: cannot daemonize: " + e.getMessage());
            return 1;
        } finally {
            LibC.INSTANCE.close(pipe[0]);
            LibC.INSTANCE.close(pipe[1]);   // so the pipe ends when the master closes its end
        }
        return await(pid, reports, patience);
    }

    private int await(int pid, BufferedReader reports, Duration patience) {
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (reports) {
                String line = reports.readLine();
                lines.add(line == null ? EOF : line);
            } catch (IOException e) {
                lines.add(EOF);
            }
        }, "daemon-report");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                Processes.Exit exit = null;
                if (line == null || line.equals(EOF)) {
                    exit = Processes.reapOne();
                    if (exit == null) {
                        continue;
                    }
                    if (line == null) {
                        // it is gone, so its end of the pipe is closed: the reader has its report, or EOF, at once
                        line = lines.poll(10, TimeUnit.SECONDS);
                    }
                }
                if ("ready".equals(line)) {
                    return 0;
                }
                if (exit == null) {
                    exit = Processes.waitFor(pid);
                }
                if (line != null && line.startsWith("error ")) {
                    err.println("qilin: error: " + line.substring(6));
                } else {
                    err.println("qilin: error: the master exited with " + exit + " before it was ready "
                            + "(see --error-logfile)");
                }
                return exitCode(exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        err.println("qilin: error: the master (pid " + pid + ") was not ready within " + patience.toSeconds()
                + " s; it keeps starting in the background (see --error-logfile)");
        return 1;
    }

    private static int exitCode(Processes.Exit exit) {
        return exit.signalled() || exit.code() == 0 ? 1 : exit.code();
    }
}
