package io.qilin.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Qilin master started from the unpacked distribution's {@code bin/qilin}, its output in a
 * log file under {@code target/it-logs}. Tests send it real signals and wait on its log and its
 * child processes, never on fixed sleeps.
 */
final class Qilin implements AutoCloseable {
    static final Path HOME = Path.of(System.getProperty("qilin.home", "../distribution/target/qilin")).toAbsolutePath();
    static final Path LOGS = Path.of(System.getProperty("qilin.it.logs", "target/it-logs"));
    /** it-tests' own compiled classes (test apps), for --classpath. */
    static final String TEST_CLASSES = System.getProperty("qilin.it.classes", "target/test-classes");
    static final Duration BOOT = Duration.ofSeconds(60);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Process process;
    private final Path log;
    final int port;

    private Qilin(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code bin/qilin ARGS} with {@code --log-level debug}; nothing is awaited. */
    static Qilin start(int port, String... args) throws IOException {
        return start(Map.of(), port, List.of(HOME.resolve("bin/qilin").toString()), args);
    }

    /** Starts a command (e.g. through {@code sh -c}) whose output is the master's. */
    static Qilin start(Map<String, String> env, int port, List<String> command, String... args) throws IOException {
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve(testName() + "-" + COUNTER.incrementAndGet() + ".log");
        List<String> cmd = new ArrayList<>(command);
        cmd.add("--log-level");
        cmd.add("debug");
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        int i = cmd.indexOf("--error-logfile");
        Path watched = i >= 0 ? Path.of(cmd.get(i + 1)) : log;   // the log goes there instead of stderr
        return new Qilin(pb.start(), watched, port);
    }

    /** The worker kinds every scenario runs on. */
    static final List<String> KINDS = List.of("sync", "gthread", "vertx");

    /** Starts the test app with {@code workers} sync workers on a fresh port and waits until all are ready. */
    static Qilin serving(int workers, String... extra) throws IOException {
        return serving("sync", workers, extra);
    }

    /** Starts the test app on {@code workers} workers of {@code kind} and waits until all are ready. */
    static Qilin serving(String kind, int workers, String... extra) throws IOException {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("-b", "127.0.0.1:" + port, "-w", Integer.toString(workers),
                "-k", kind));
        args.addAll(Arrays.asList(extra));
        args.add("io.qilin.examples.TestApp");
        Qilin q = start(port, args.toArray(new String[0]));
        q.awaitReadyWorkers(workers);
        return q;
    }

    /** For {@code @MethodSource("io.qilin.it.Qilin#kinds")}. */
    static java.util.stream.Stream<String> kinds() {
        return KINDS.stream();
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

    /** Waits for a log line matching {@code regex}; returns the match. */
    Matcher awaitLog(String regex) {
        return awaitLog(regex, BOOT);
    }

    Matcher awaitLog(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        Matcher[] found = new Matcher[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).alias("log line /" + regex + "/ in " + log)
                .until(() -> {
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

    /** The master's live child processes: its workers. */
    List<Long> workerPids() {
        return ProcessHandle.of(pid()).map(h -> h.children().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).sorted().collect(Collectors.toList())).orElse(List.of());
    }

    /** Pids the master has logged as ready ("Worker (pid:N) is ready", a debug line), in order. */
    List<Long> readyPids() {
        Matcher m = Pattern.compile("Worker \\(pid:(\\d+)\\) is ready").matcher(log());
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** Waits until exactly {@code n} workers are alive and every one of them has been reported ready. */
    List<Long> awaitReadyWorkers(int n) {
        return awaitReadyWorkers(n, BOOT);
    }

    /** The same, for apps whose workers take longer to boot than {@link #BOOT} (a framework, a database). */
    List<Long> awaitReadyWorkers(int n, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).alias(n + " ready workers, see " + log).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("master exited with " + process.exitValue() + ":\n" + log());
            }
            List<Long> alive = workerPids();
            return alive.size() == n && readyPids().containsAll(alive);
        });
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

    /** Waits for the master to exit; returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("master still running after " + timeout + "; log " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Kills whatever is left: master and workers. */
    @Override
    public void close() {
        List<ProcessHandle> family = ProcessHandle.of(pid()).map(h -> h.descendants().collect(Collectors.toList()))
                .orElse(List.of());
        process.destroyForcibly();
        family.forEach(ProcessHandle::destroyForcibly);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Environment for a child with the given variables added. */
    static Map<String, String> env(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String testName() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            if (e.getClassName().endsWith("IT")) {
                String cls = e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1);
                return cls + "-" + e.getMethodName();
            }
        }
        return "qilin";
    }
}
