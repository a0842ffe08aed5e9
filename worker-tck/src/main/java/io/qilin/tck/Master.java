package io.qilin.tck;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Qilin master ({@code io.qilin.arbiter.Main}) in a JVM of its own, started from a class path
 * that holds the master, the worker API, the kind under test and its libraries; the workers get the
 * same class path. Its output, and the workers' (they inherit it), goes to one log file.
 */
final class Master implements AutoCloseable {
    /** How long anything may take on a slow, shared machine: a deadline, never an expected time. */
    static final Duration DEADLINE = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    final int port;
    final Path dir;

    private Master(Process process, Path log, int port, Path dir) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts {@code qilin -b 127.0.0.1:PORT --worker-class KIND ARGS io.qilin.tck.TckApp} with
     * {@code --log-level debug}; nothing is awaited.
     */
    static Master start(Path dir, String classpath, String workerClass, List<String> args) throws IOException {
        int port = freePort();
        Path log = dir.resolve("master.log");
        List<String> cmd = new ArrayList<>();
        if (resetsSignals()) {
            // a JVM cannot handle a signal that was ignored when it started (a background job of a script)
            cmd.addAll(List.of("env", "--default-signal=HUP,INT,TERM"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "io.qilin.arbiter.Main", "-b", "127.0.0.1:" + port, "--worker-class", workerClass,
                "--log-level", "debug", "--worker-tmp-dir", dir.toString()));
        cmd.addAll(args);
        cmd.add(TckApp.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int i = args.indexOf("--error-logfile");
        return new Master(p, i >= 0 ? Path.of(args.get(i + 1)) : log, port, dir); // the log goes there instead
    }

    /** The class path of this test JVM: surefire's real one when it hides it behind a manifest-only jar. */
    static String testClasspath() {
        String cp = System.getProperty("qilin.tck.classpath");
        if (cp == null || cp.isEmpty()) {
            cp = System.getProperty("surefire.test.class.path");
        }
        if (cp == null || cp.isEmpty()) {
            cp = System.getProperty("java.class.path");
        }
        return Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.isEmpty())
                .collect(Collectors.joining(File.pathSeparator));
    }

    long pid() {
        return process.pid();
    }

    Path logFile() {
        return log;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits up to {@code timeout} for a log line matching {@code regex}; the match, or null. */
    Matcher awaitLog(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        Matcher[] found = new Matcher[1];
        poll(timeout, () -> {
            Matcher m = p.matcher(log());
            if (m.find()) {
                found[0] = m;
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** How many times a pattern occurs in the log so far. */
    long count(String regex) {
        Matcher m = Pattern.compile(regex).matcher(log());
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The master's live children: its workers. */
    List<Long> workerPids() {
        return ProcessHandle.of(pid()).map(h -> h.children().map(ProcessHandle::pid)
                .filter(Master::alive).sorted().collect(Collectors.toList())).orElse(List.of());
    }

    /** Pids the master has logged as ready, in order. */
    List<Long> readyPids() {
        Matcher m = Pattern.compile("Worker \\(pid:(\\d+)\\) is ready").matcher(log());
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** Waits until exactly {@code n} workers live and every one has been reported ready; their pids. */
    List<Long> awaitReadyWorkers(int n) {
        boolean ready = poll(DEADLINE, () -> {
            if (!process.isAlive()) {
                return true;
            }
            List<Long> alive = workerPids();
            return alive.size() == n && readyPids().containsAll(alive);
        });
        if (!process.isAlive()) {
            throw new IllegalStateException("the master exited with " + process.exitValue()
                    + " before " + n + " workers were ready; log " + log + ":\n" + tail());
        }
        if (!ready) {
            throw new IllegalStateException(n + " workers were not ready within " + DEADLINE.toSeconds()
                    + " s; log " + log + ":\n" + tail());
        }
        return workerPids();
    }

    void signal(String name) {
        signal(pid(), name);
    }

    static void signal(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the master to exit; its exit code, or null if it still runs after {@code timeout}. */
    Integer awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of the log, for a failure message. */
    String tail() {
        String[] lines = log().split("\n");
        return String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    /** Kills whatever is left: master and workers. */
    @Override
    public void close() {
        List<ProcessHandle> family = ProcessHandle.of(pid()).map(h -> h.descendants().collect(Collectors.toList()))
                .orElse(List.of());
        process.destroyForcibly();
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /** Whether a process runs; an exited one waiting to be reaped (a zombie, which init reaps at leisure) does not. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    /** Polls {@code condition} every 20 ms for up to {@code timeout}; whether it became true. */
    static boolean poll(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean resetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=HUP", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
