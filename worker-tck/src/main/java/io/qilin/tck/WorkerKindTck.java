package io.qilin.tck;

import io.qilin.worker.internal.ConformanceProbes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The worker conformance kit. Extend it in your kind's tests and name your kind:
 * <pre>{@code
 * class MyKindConformanceTest extends WorkerKindTck {
 *     protected String workerClass() { return "com.example.MyKind"; }
 * }
 * }</pre>
 * Each test starts a real master ({@code io.qilin.arbiter.Main}) in a JVM of its own with this test's
 * class path, which must hold the kind (listed in {@code META-INF/services}, as every kind; the kit selects
 * it by class name) and {@code qilin-arbiter} (a runtime dependency of this kit); the master serves
 * {@link TckApp} on 127.0.0.1 with workers of the kind, and the test drives it with real signals over
 * real sockets. Each test checks one clause of {@link Clause}, and a failure names the clause, what the
 * kind did instead, and the log of the master and its workers. Linux only ({@code /proc}).
 *
 * <p>An abstract class rather than a {@code @TestFactory}: each check is a named method, which the IDE,
 * surefire's report and {@code -Dtest=MyKindConformanceTest#termDrains...} show and rerun one by one,
 * and which an author may override with {@code @Disabled} and a reason while working on the kind.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class WorkerKindTck {
    /** The graceful stop every check allows, far above what a conforming kind needs. */
    private static final int GRACEFUL_TIMEOUT = 30;
    private static final Duration ACCEPT_AT_ONCE = Duration.ofSeconds(1);
    private static final Duration EXIT_AFTER_MASTER_DIES = Duration.ofSeconds(1);
    /** How long the C11 check waits for each answer and the close after it: a refusal must not wait for more bytes. */
    private static final int CORPUS_ANSWER_MILLIS = 15_000;

    /** This check's directory: the master's log, the log files, the scoreboard; kept for reading after a failure. */
    private Path dir;

    @BeforeEach
    void makeDirectory(TestInfo test) throws IOException {
        Path base = Path.of(System.getProperty("qilin.tck.dir", "target/qilin-tck"));
        dir = Files.createDirectories(base).toAbsolutePath().resolve(getClass().getSimpleName() + "-"
                + test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("check"));
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }

    /** The kind under test: its class name (or its {@code name()} if discovery finds it). */
    protected abstract String workerClass();

    /** Options the kind needs on every master the kit starts, for example {@code --threads 4}. */
    protected List<String> kindArgs() {
        return List.of();
    }

    /**
     * The {@code --graceful-timeout} of the checks, in seconds: far above what a conforming kind needs.
     * The C3 check fails a kind whose workers are still running after it.
     */
    protected int gracefulTimeout() {
        return GRACEFUL_TIMEOUT;
    }

    /** The class path of the master and its workers: this test's own, by default. */
    protected String classpath() {
        return Master.testClasspath();
    }

    private Master start(int workers, String... args) throws IOException {
        // a slow, shared machine may take long to start a JVM; no check is about boot time
        List<String> all = new ArrayList<>(List.of("-w", Integer.toString(workers), "--boot-timeout", "180"));
        if (!Arrays.asList(args).contains("--graceful-timeout")) {
            all.addAll(List.of("--graceful-timeout", Integer.toString(gracefulTimeout())));
        }
        all.addAll(kindArgs());
        all.addAll(Arrays.asList(args));
        return Master.start(dir, classpath(), workerClass(), all);
    }

    @Test
    @DisplayName("C1 ready only once the worker accepts")
    protected void readyOnlyOnceAccepting() throws Exception {
        try (Master m = start(1)) {
            long pid = m.awaitReadyWorkers(1).get(0);
            try (Socket waiting = RawHttp.send(m.port, "")) {
                long connected = System.nanoTime();
                if (!Master.poll(ACCEPT_AT_ONCE, () -> acceptQueue(m.port) == 0)) {
                    boolean later = Master.poll(Master.DEADLINE, () -> acceptQueue(m.port) == 0);
                    throw Clause.C1_READY.violated("worker " + pid + " was reported ready, but a connection made then "
                            + (later ? "waited " + millisSince(connected) + " ms in the listen queue before it was accepted"
                                    : "was still in the listen queue " + Master.DEADLINE.toSeconds() + " s later"), m);
                }
            }
        }
    }

    @Test
    @DisplayName("C2 HUP under load: 0 failed requests")
    protected void hupUnderLoadFailsNoRequest() throws Exception {
        try (Master m = start(2)) {
            List<Long> old = m.awaitReadyWorkers(2);
            Load load = Load.start(m.port, 2);
            try {
                Master.poll(Master.DEADLINE, () -> load.total() >= 20);
                m.signal("HUP");
                boolean reloaded = m.awaitLog("Reload complete: generation 2", Master.DEADLINE) != null
                        && Master.poll(Master.DEADLINE, () -> old.stream().noneMatch(Master::alive));
                long after = load.total();
                Master.poll(Master.DEADLINE, () -> load.total() >= after + 20);
                load.close();
                if (load.failed.get() > 0) {
                    throw Clause.C2_RELOAD.violated(load.failed.get() + " of " + load.total() + " requests failed while "
                            + "the workers were replaced; the first: " + load.firstFailure.get(), m);
                }
                if (!reloaded) {
                    throw Clause.C2_RELOAD.violated("the reload did not complete within " + Master.DEADLINE.toSeconds()
                            + " s (old workers " + old + ", now " + m.workerPids() + ")", m);
                }
            } finally {
                load.close();
            }
        }
    }

    @Test
    @DisplayName("C3 TERM: requests in flight and waiting connections answered, exit 0")
    protected void termDrainsInFlightAndWaitingConnections() throws Exception {
        int workers = 2;
        int slow = 8; // more than sync (1 per worker) and a small thread pool hold at once
        try (Master m = start(workers)) {
            m.awaitReadyWorkers(workers);
            List<Socket> inFlight = new ArrayList<>();
            List<Socket> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < slow; i++) {
                    inFlight.add(RawHttp.send(m.port, request("/sleep?ms=1500")));
                }
                if (!Master.poll(Master.DEADLINE, () -> m.count("tck-app: sleep started") >= workers)) {
                    throw new IllegalStateException("the slow requests did not start; log " + m.logFile());
                }
                for (int i = 0; i < 20; i++) {
                    waiting.add(RawHttp.send(m.port, request("/pid")));
                }
                m.signal("TERM");
                List<String> unanswered = new ArrayList<>();
                answerAll(inFlight, "slow", unanswered);
                answerAll(waiting, "waiting", unanswered);
                Integer code = m.awaitExit(Duration.ofSeconds(gracefulTimeout() + 30));
                List<String> problems = new ArrayList<>();
                if (!unanswered.isEmpty()) {
                    problems.add(unanswered.size() + " of " + (slow + 20) + " requests (" + slow + " slow ones sent"
                            + " first, 20 quick ones waiting) got no 200: " + unanswered);
                }
                if (m.log().contains("still running after")) {
                    problems.add("the master killed workers that outlived --graceful-timeout " + gracefulTimeout());
                }
                if (code == null || code != 0) {
                    problems.add("the master " + (code == null ? "still ran " + (gracefulTimeout() + 30) + " s later"
                            : "exited with " + code));
                }
                if (!problems.isEmpty()) {
                    throw Clause.C3_DRAIN.violated("after TERM, " + String.join("; ", problems), m);
                }
            } finally {
                closeAll(inFlight);
                closeAll(waiting);
            }
        }
    }

    @Test
    @DisplayName("C4 INT: quick exit, even with a request in flight")
    protected void intExitsAtOnce() throws Exception {
        try (Master m = start(1, "--graceful-timeout", "120")) {
            long pid = m.awaitReadyWorkers(1).get(0);
            try (Socket slow = RawHttp.send(m.port, request("/sleep?ms=120000"))) {
                if (!Master.poll(Master.DEADLINE, () -> m.count("tck-app: sleep started") >= 1)) {
                    throw new IllegalStateException("the slow request did not start; log " + m.logFile());
                }
                m.signal("INT");
                Duration quick = Duration.ofSeconds(10);
                Integer code = m.awaitExit(quick);
                if (code == null || Master.alive(pid)) {
                    throw Clause.C4_QUICK.violated("worker " + pid + " was still running " + quick.toSeconds()
                            + " s after INT, with a request in flight and --graceful-timeout 120", m);
                }
                if (code != 0) {
                    throw Clause.C4_QUICK.violated("after INT the master exited with " + code, m);
                }
            }
        }
    }

    @Test
    @DisplayName("C5 a hung dispatching thread: abort with a thread dump")
    protected void hungDispatchAbortsWithThreadDump() throws Exception {
        int timeout = 4;
        try (Master m = start(1, "--timeout", Integer.toString(timeout), "--worker-jvm-opts",
                // the space keeps the value from reading as the master's -D (--daemon)
                " -Dqilin.tck.probes=true")) {
            long pid = m.awaitReadyWorkers(1).get(0);
            try (Socket stalled = RawHttp.send(m.port, request(ConformanceProbes.STALL_TARGET))) {
                if (m.awaitLog("qilin-tck: thread .* hung in requestStarted", Master.DEADLINE) == null) {
                    throw Clause.C5_HEARTBEAT.violated("worker " + pid + " never called requestStarted for "
                            + ConformanceProbes.STALL_TARGET + (m.log().contains("WORKER TIMEOUT") ? " (and was aborted"
                            + " for a missed heartbeat before it did)" : ""), m);
                }
                long hung = System.nanoTime();
                // the master samples the heartbeat once a second: up to a second after the last beat, and
                // up to a second after the timeout has passed
                Duration bound = Duration.ofSeconds(timeout + 2);
                Duration patience = Duration.ofSeconds(timeout + 20);
                Matcher aborted = m.awaitLog("WORKER TIMEOUT \\(pid:" + pid + "\\)", patience);
                long seen = millisSince(hung);
                if (aborted == null) {
                    throw Clause.C5_HEARTBEAT.violated("worker " + pid + " kept beating " + patience.toSeconds()
                            + " s after the thread that reported the request " + ConformanceProbes.STALL_TARGET
                            + " hung (--timeout " + timeout + "): its heartbeat does not come from that thread"
                            + " (or it never called requestStarted)", m);
                }
                if (seen > bound.toMillis()) {
                    throw Clause.C5_HEARTBEAT.violated("the master aborted worker " + pid + " " + seen + " ms after its"
                            + " dispatching thread hung (--timeout " + timeout + "; expected within " + bound.toMillis()
                            + " ms): beats went on after the hang", m);
                }
                if (m.awaitLog("Full thread dump of pid " + pid + "(?s).*" + ConformanceProbes.class.getSimpleName(),
                        Duration.ofSeconds(5)) == null) {
                    throw Clause.C5_HEARTBEAT.violated("worker " + pid + " was sent ABRT but logged no full thread dump"
                            + " showing the hung thread", m);
                }
                if (m.awaitLog("Worker \\(pid:" + pid + "\\) exited with code 1\\.", Master.DEADLINE) == null
                        || m.log().contains("Worker (pid:" + pid + ") did not exit after SIGABRT")) {
                    throw Clause.C5_HEARTBEAT.violated("worker " + pid + " did not exit with code 1 within 1 s of ABRT", m);
                }
                m.awaitReadyWorkers(1);
            }
        }
    }

    @Test
    @DisplayName("C6 USR1 reopens the access log and the error log")
    protected void usr1ReopensAccessAndErrorLogs() throws Exception {
        Path access = dir.resolve("access.log");
        Path error = dir.resolve("error.log");
        try (Master m = start(1, "--access-logfile", access.toString(), "--error-logfile", error.toString())) {
            m.awaitReadyWorkers(1);
            expect200(m, "/log?m=before-reopen");
            boolean written = Master.poll(Master.DEADLINE,
                    () -> contains(access, "/log?m=before-reopen") && contains(error, "tck-app: before-reopen"));
            if (!written) {
                throw Clause.C6_REOPEN.violated("a request's access line or its log line never reached "
                        + (contains(access, "/log?m=before-reopen") ? error : access), m);
            }
            Files.move(access, dir.resolve("access.log.1"), StandardCopyOption.ATOMIC_MOVE);
            Files.move(error, dir.resolve("error.log.1"), StandardCopyOption.ATOMIC_MOVE);
            m.signal("USR1");
            Master.poll(Master.DEADLINE, () -> Files.exists(access) && Files.exists(error));
            Master.poll(Master.DEADLINE, () -> contains(error, "Reopened log files"));
            expect200(m, "/log?m=after-reopen");
            boolean moved = Master.poll(Duration.ofSeconds(10),
                    () -> contains(access, "/log?m=after-reopen") && contains(error, "tck-app: after-reopen"));
            if (!moved) {
                throw Clause.C6_REOPEN.violated("after the log files were renamed and USR1 sent, a request's "
                        + (contains(access, "/log?m=after-reopen") ? "log line" : "access line") + " did not reach the"
                        + " reopened " + (contains(access, "/log?m=after-reopen") ? error : access)
                        + (contains(dir.resolve("access.log.1"), "after-reopen")
                                || contains(dir.resolve("error.log.1"), "after-reopen") ? " (it went to the old file)" : ""), m);
            }
        }
    }

    @Test
    @DisplayName("C7 --max-requests recycles the worker, no request fails")
    protected void maxRequestsRecycles() throws Exception {
        try (Master m = start(1, "--max-requests", "5")) {
            long first = m.awaitReadyWorkers(1).get(0);
            TreeSet<String> servedBy = new TreeSet<>();
            long deadline = System.nanoTime() + Master.DEADLINE.toNanos();
            int sent = 0;
            // the worker serves on past its 5 requests until its replacement is ready (the master's surge)
            while (servedBy.size() < 2 && System.nanoTime() - deadline < 0) {
                RawHttp.Response r = RawHttp.get(m.port, "/pid");
                sent++;
                if (r.status != 200) {
                    throw Clause.C7_RECYCLE.violated("request " + sent + " with --max-requests 5 got " + r, m);
                }
                servedBy.add(r.body().trim());
                Thread.sleep(20);
            }
            if (servedBy.size() < 2) {
                throw Clause.C7_RECYCLE.violated(sent + " requests with --max-requests 5 over "
                        + Master.DEADLINE.toSeconds() + " s were all served by worker " + servedBy.first()
                        + ": it was not recycled", m);
            }
            if (m.awaitLog("Worker \\(pid:" + first + "\\) exited normally", Master.DEADLINE) == null) {
                throw Clause.C7_RECYCLE.violated("worker " + first + " did not exit with code 0 after its "
                        + "--max-requests: " + lineAbout(m, first), m);
            }
        }
    }

    @Test
    @DisplayName("C8 workers exit within 1 s of the master's SIGKILL")
    protected void exitsWhenTheMasterIsKilled() throws Exception {
        try (Master m = start(2)) {
            List<Long> workers = m.awaitReadyWorkers(2);
            long killed = System.nanoTime();
            Master.signal(m.pid(), "KILL");
            if (!Master.poll(EXIT_AFTER_MASTER_DIES, () -> workers.stream().noneMatch(Master::alive))) {
                boolean later = Master.poll(Master.DEADLINE, () -> workers.stream().noneMatch(Master::alive));
                throw Clause.C8_ORPHAN.violated("workers " + workers + (later ? " exited only " + millisSince(killed)
                        + " ms after the master's SIGKILL" : " were still alive " + Master.DEADLINE.toSeconds()
                        + " s after the master's SIGKILL"), m);
            }
        }
    }

    @Test
    @DisplayName("C9 limits and malformed requests get 4xx, the worker survives")
    protected void limitsAndMalformedRequestsGet4xx() throws Exception {
        try (Master m = start(1, "--limit-request-line", "1024", "--limit-request-fields", "20",
                "--limit-request-field-size", "1024")) {
            long pid = m.awaitReadyWorkers(1).get(0);
            StringBuilder fields = new StringBuilder();
            for (int i = 0; i < 30; i++) {
                fields.append("X-Field-").append(i).append(": v\r\n");
            }
            Map<String, String> cases = new LinkedHashMap<>();
            cases.put("a request line of 2,000 bytes over --limit-request-line 1024",
                    "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            cases.put("30 header fields over --limit-request-fields 20",
                    "GET /pid HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + fields + "\r\n");
            cases.put("a header field of 2,000 bytes over --limit-request-field-size 1024",
                    "GET /pid HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
            cases.put("a bad HTTP version", "GET /pid HTTP/x.y\r\nHost: x\r\nConnection: close\r\n\r\n");
            cases.put("a NUL in a header value", "GET /pid HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: a\0b\r\n\r\n");
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, String> c : cases.entrySet()) {
                String answer;
                try (Socket s = RawHttp.send(m.port, c.getValue())) {
                    RawHttp.Response r = RawHttp.read(s);
                    if (r.status >= 400 && r.status < 500) {
                        continue;
                    }
                    answer = r.toString();
                } catch (IOException e) {
                    answer = e.toString();
                }
                wrong.add(c.getKey() + " got " + answer);
            }
            if (!wrong.isEmpty()) {
                throw Clause.C9_LIMITS.violated(String.join("; ", wrong), m);
            }
            RawHttp.Response after = RawHttp.get(m.port, "/pid");
            if (after.status != 200 || !Master.alive(pid) || !after.body().trim().equals(Long.toString(pid))) {
                throw Clause.C9_LIMITS.violated("after the bad requests, worker " + pid + (Master.alive(pid)
                        ? " answered " + after : " was gone"), m);
            }
        }
    }

    @Test
    @DisplayName("C11 strict HTTP/1.1: each request of the corpus gets its status, refusals with Connection: close")
    protected void strictHttp1Corpus() throws Exception {
        try (Master m = start(1)) {
            long pid = m.awaitReadyWorkers(1).get(0);
            List<String> wrong = new ArrayList<>();
            for (StrictHttp1Corpus.Vector v : StrictHttp1Corpus.VECTORS) {
                String problem = checkAnswer(m.port, v);
                if (problem != null) {
                    wrong.add(v.name() + " (expected " + v.status() + "): " + problem);
                }
            }
            if (!wrong.isEmpty()) {
                throw Clause.C11_STRICT_HTTP1.violated(wrong.size() + " of " + StrictHttp1Corpus.VECTORS.size()
                        + " requests were answered wrongly:\n    " + String.join("\n    ", wrong), m);
            }
            RawHttp.Response after = RawHttp.get(m.port, "/pid");
            if (after.status != 200 || !after.body().trim().equals(Long.toString(pid))) {
                throw Clause.C11_STRICT_HTTP1.violated("after the corpus, worker " + pid + (Master.alive(pid)
                        ? " answered " + after : " was gone"), m);
            }
        }
    }

    /** Null when {@code v} got its status (and a refusal said {@code Connection: close}), else what happened. */
    private static String checkAnswer(int port, StrictHttp1Corpus.Vector v) {
        RawHttp.Response r;
        try (Socket s = RawHttp.send(port, v.request())) {
            s.setSoTimeout(CORPUS_ANSWER_MILLIS);
            r = RawHttp.read(s);
        } catch (IOException e) {
            return e.toString();
        }
        if (r.status != v.status()) {
            return r.toString();
        }
        String head = r.text.split("\r\n\r\n", 2)[0].toLowerCase(java.util.Locale.ROOT);
        if (v.status() >= 400 && !head.contains("\r\nconnection: close")) {
            return "no Connection: close in " + r.text.split("\r\n\r\n", 2)[0].replace("\r\n", " | ");
        }
        return null;
    }

    @Test
    @DisplayName("C10 the listening socket's options are never changed")
    protected void listenerOptionsUntouched() throws Exception {
        int backlog = 100;
        try (Master m = start(2, "--backlog", Integer.toString(backlog))) {
            AtomicReference<String> blocking = new AtomicReference<>();
            AtomicReference<ListenerProbe> probe = new AtomicReference<>();
            Thread sampler = new Thread(() -> sample(m, probe, blocking), "tck-listener-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                List<Long> old = m.awaitReadyWorkers(2);
                for (int i = 0; i < 10; i++) {
                    expect200(m, "/pid");
                }
                m.signal("HUP");
                m.awaitLog("Reload complete: generation 2", Master.DEADLINE);
                Master.poll(Master.DEADLINE, () -> old.stream().noneMatch(Master::alive));
                for (int i = 0; i < 10; i++) {
                    expect200(m, "/pid");
                }
            } catch (Exception | AssertionError e) {
                if (blocking.get() == null) {
                    throw e;
                }
                // a blocking listener breaks the kind in many ways (a reset, a hung reload): the cause comes first
            } finally {
                sampler.interrupt();
                sampler.join(10_000);
            }
            if (blocking.get() != null) {
                throw Clause.C10_LISTENER.violated("the listening socket was switched to blocking mode (O_NONBLOCK "
                        + "cleared) " + blocking.get(), m);
            }
            int now = probe.get() == null ? -1 : probe.get().backlog();
            if (now >= 0 && now != backlog) {
                throw Clause.C10_LISTENER.violated("the listening socket's backlog is " + now + " after the workers ran"
                        + " (--backlog " + backlog + "): a worker called listen() on it again", m);
            }
        }
    }

    /** Samples O_NONBLOCK about every millisecond from the master's bind until interrupted; notes the first change. */
    private static void sample(Master m, AtomicReference<ListenerProbe> probe, AtomicReference<String> blocking) {
        long started = System.nanoTime();
        while (!Thread.currentThread().isInterrupted() && blocking.get() == null) {
            try {
                if (probe.get() == null) {
                    probe.set(ListenerProbe.of(m.pid(), m.port));
                }
                if (!probe.get().nonBlocking()) {
                    blocking.set(millisSince(started) + " ms after the master started (workers then: " + m.workerPids()
                            + ", ready so far: " + m.readyPids() + ")");
                }
            } catch (IOException | UncheckedIOException notYetBound) {
                // the master has not bound it yet
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static String request(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    private static void answerAll(List<Socket> sockets, String what, List<String> unanswered) {
        for (int i = 0; i < sockets.size(); i++) {
            try {
                RawHttp.Response r = RawHttp.read(sockets.get(i));
                if (r.status != 200) {
                    unanswered.add(what + " #" + (i + 1) + ": " + r);
                }
            } catch (IOException e) {
                unanswered.add(what + " #" + (i + 1) + ": " + e);
            }
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void expect200(Master m, String target) throws IOException {
        RawHttp.Response r = RawHttp.get(m.port, target);
        if (r.status != 200) {
            throw new IllegalStateException("GET " + target + " got " + r + "; log " + m.logFile());
        }
    }

    private static int acceptQueue(int port) {
        try {
            return ListenerProbe.acceptQueue(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String lineAbout(Master m, long pid) {
        return m.log().lines().filter(l -> l.contains("(pid:" + pid + ")")).reduce((a, b) -> b).orElse("no line about it");
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
