package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * S16 without Docker: the master runs as PID 1 of a new PID namespace ({@code unshare --pid --fork
 * --mount-proc}), as it does in a container started without an init. PID 1 gets no default signal
 * actions, and every orphan of the namespace is re-parented to it. The signals are sent from outside
 * the namespace to the master's outside pid: the child of the {@code unshare} process. Needs root
 * (or whatever lets {@code unshare --pid} work); skips itself otherwise.
 */
class Pid1NamespaceIT {
    private static final Duration EXIT = Duration.ofSeconds(60);
    /** The image's ENTRYPOINT. */
    private static final Path ENTRYPOINT = Qilin.HOME.resolve("bin/qilin");

    @BeforeAll
    static void pidNamespacesWork() throws Exception {
        assumeTrue(uid() == 0, "Pid1NamespaceIT needs root to create PID namespaces (uid is " + uid() + ")");
        assumeTrue(onPath("unshare"), "Pid1NamespaceIT needs util-linux's unshare on PATH");
        Process probe = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "true")
                .redirectErrorStream(true).start();
        boolean done = probe.waitFor(30, TimeUnit.SECONDS);
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!done) {
            probe.destroyForcibly();
        }
        assumeTrue(done && probe.exitValue() == 0,
                "'unshare --pid --fork --kill-child --mount-proc true' failed here (no PID namespaces, e.g. in an "
                        + "unprivileged container): " + out);
    }

    @Test
    void termAsPid1DrainsAndExits0() throws Exception {   // S16 (a), and S8 as PID 1
        try (Namespaced ns = Namespaced.serving(2, "io.qilin.examples.TestApp")) {
            assertThat(ns.q.log()).contains("[1] [INFO] Starting qilin");
            List<Long> workers = ns.workers();
            CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(() -> get(ns.port(), "/sleep?s=1"));
            await().atMost(Qilin.BOOT).until(() -> ns.q.count("TestApp: /sleep\\?s=1 started") == 1);
            Qilin.signal(ns.master(), "TERM");
            assertThat(inFlight.get().status).isEqualTo(200);
            assertThat(ns.q.awaitExit(EXIT)).isZero();   // unshare --fork exits with its child's status
            assertThat(ns.q.log()).contains("[1] [INFO] Handling signal: term").contains("[1] [INFO] Shutting down: Master");
            assertThatThrownBy(() -> Http.get(ns.port(), "/pid")).isInstanceOf(ConnectException.class);
            workers.forEach(pid -> assertThat(alive(pid)).isFalse());
        }
    }

    @Test
    void intAsPid1StopsAtOnce() throws Exception {   // S16 (b), and S9 as PID 1
        try (Namespaced ns = Namespaced.serving(2, "--graceful-timeout", "120", "io.qilin.examples.TestApp")) {
            List<Long> workers = ns.workers();
            CompletableFuture.runAsync(() -> {
                try {
                    Http.get(ns.port(), "/hang");
                } catch (IOException expected) {
                    // cut by the quick stop
                }
            });
            await().atMost(Qilin.BOOT).until(() -> ns.q.count("TestApp: /hang started") == 1);
            Qilin.signal(ns.master(), "INT");
            // a graceful stop would wait 120 s for /hang; a quick one is over long before this bound
            assertThat(ns.q.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(ns.q.log()).contains("[1] [INFO] Handling signal: int");
            workers.forEach(pid -> assertThat(alive(pid)).isFalse());
        }
    }

    @Test
    void hupAsPid1ReloadsUnderLoadWithoutAFailedRequest() throws Exception {   // S16 (c)
        try (Namespaced ns = Namespaced.serving(2, "io.qilin.examples.TestApp");
                LoadClient load = LoadClient.start(ns.port(), 4, "/pid", r -> r.status == 200)) {
            List<Long> before = ns.workers();
            load.awaitMoreSuccesses(200);
            Qilin.signal(ns.master(), "HUP");
            ns.q.awaitLog("\\[1\\] \\[INFO\\] Reload complete: generation 2 is serving");
            load.awaitMoreSuccesses(200);
            load.stop();
            System.out.println("S16 HUP as PID 1: " + load);
            assertThat(load.failed()).as(load.toString()).isZero();
            assertThat(ns.awaitReadyWorkers(2)).doesNotContainAnyElementsOf(before);
            assertThat(ns.q.isAlive()).isTrue();
        }
    }

    @Test
    void orphansReparentedToPid1AreReapedAndLeaveNoZombie() throws Exception {   // S16 (d)
        // no warm-up: each request of OrphanApp starts a process
        try (Namespaced ns = Namespaced.serving(1, "--warmup-requests", "0", "--classpath", Qilin.TEST_CLASSES,
                "io.qilin.it.apps.OrphanApp")) {
            long master = ns.master();
            // a few orphans that end by themselves...
            List<Long> orphans = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                orphans.add(Long.parseLong(get(ns.port(), "/?s=0.1").body.trim()));
            }
            // ...and one that lives until it is seen as the master's child, then is killed from outside
            long longLived = Long.parseLong(get(ns.port(), "/?s=600").body.trim());
            long adopted = await().atMost(Qilin.BOOT).until(
                    () -> children(master).stream().filter(p -> nsPid(p) == longLived).findFirst().orElse(0L), p -> p > 0);
            assertThat(command(adopted)).isEqualTo("sleep");   // the worker's grandchild now belongs to PID 1
            Qilin.signal(adopted, "KILL");

            for (long orphan : orphans) {
                ns.q.awaitLog("\\[1\\] \\[DEBUG\\] Reaped unknown child process \\(pid:" + orphan + ", exit code 0\\)");
            }
            ns.q.awaitLog("\\[1\\] \\[DEBUG\\] Reaped unknown child process \\(pid:" + longLived + ", killed by SIGKILL\\)");
            assertThat(alive(adopted)).isFalse();
            assertThat(zombieChildren(master)).isEmpty();
            assertThat(ns.workers()).hasSize(1);   // reaping an orphan is not mistaken for a worker exit
            assertThat(ns.q.log()).doesNotContain("exited with code").doesNotContain("was sent");
            assertThat(get(ns.port(), "/?s=0.1").status).isEqualTo(200);
        }
    }

    @Test
    void appLoadFailureAsPid1KeepsExitCode4() throws Exception {   // S16 (e), S6 as PID 1
        int port = Qilin.freePort();
        try (Namespaced ns = Namespaced.start(Map.of(), port, List.of(Qilin.HOME.resolve("bin/qilin").toString()),
                "-b", "127.0.0.1:" + port, "--classpath", Qilin.TEST_CLASSES, "io.qilin.it.apps.ThrowingApp")) {
            assertThat(ns.q.awaitExit(EXIT)).isEqualTo(4);
            assertThat(ns.q.log()).contains("[1] [ERROR] Reason: App failed to load.");
        }
    }

    /**
     * The image's entrypoint ({@code bin/qilin}) as the image runs it: unprivileged, PID 1, {@code PORT}
     * and {@code WEB_CONCURRENCY} set. Its execs must leave the master JVM itself as PID 1, or signals
     * would stop at a shell.
     */
    @Test
    void imageEntrypointRunsTheMasterAsPid1OnPortAndWebConcurrency() throws Exception {
        assumeTrue(onPath("setpriv"), "needs util-linux's setpriv to drop to the image's uid");
        int port = Qilin.freePort();
        try (Namespaced ns = Namespaced.start(Map.of("PORT", Integer.toString(port), "WEB_CONCURRENCY", "2",
                "QILIN_HOME", Qilin.HOME.toString()), port,
                List.of("setpriv", "--reuid", "10001", "--regid", "10001", "--clear-groups", ENTRYPOINT.toString()),
                "io.qilin.examples.TestApp")) {
            ns.awaitReadyWorkers(2);
            long master = ns.master();
            assertThat(ns.q.log()).contains("[1] [INFO] Listening at: http://0.0.0.0:" + port + " (1)");
            assertThat(command(master)).isEqualTo("java");
            assertThat(cmdline(master)).contains("io.qilin.arbiter.Main");
            assertThat(status(master, "Uid:")).startsWith("10001");
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            Qilin.signal(master, "TERM");   // what docker stop sends
            assertThat(ns.q.awaitExit(EXIT)).isZero();
            assertThat(ns.q.log()).contains("[1] [INFO] Shutting down: Master");
        }
    }

    @Test
    void imageEntrypointLeavesAGivenBindAlone() throws Exception {
        int port = Qilin.freePort();
        int unused = Qilin.freePort();
        try (Namespaced ns = Namespaced.start(Map.of("PORT", Integer.toString(unused), "QILIN_HOME", Qilin.HOME.toString()),
                port, List.of(ENTRYPOINT.toString()), "-b", "127.0.0.1:" + port, "io.qilin.examples.Hello")) {
            ns.awaitReadyWorkers(1);
            assertThat(ns.q.log()).contains("Listening at: http://127.0.0.1:" + port + " (1)").doesNotContain(":" + unused);
            assertThat(Http.get(port, "/").body).isEqualTo("Hello, World!\n");
        }
    }

    /** A master started through {@code unshare}: {@code q.pid()} is unshare's, the master is its child. */
    private static final class Namespaced implements AutoCloseable {
        final Qilin q;
        private long master;

        private Namespaced(Qilin q) {
            this.q = q;
        }

        static Namespaced start(Map<String, String> env, int port, List<String> command, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc"));
            cmd.addAll(command);
            return new Namespaced(Qilin.start(env, port, cmd, args));
        }

        /** The test app of {@code args} (the last one) on {@code workers} workers on a fresh port, all ready. */
        static Namespaced serving(int workers, String... args) throws IOException {
            int port = Qilin.freePort();
            List<String> all = new ArrayList<>(List.of("-b", "127.0.0.1:" + port, "-w", Integer.toString(workers)));
            all.addAll(List.of(args));
            Namespaced ns = start(Map.of(), port, List.of(Qilin.HOME.resolve("bin/qilin").toString()),
                    all.toArray(new String[0]));
            try {
                ns.awaitReadyWorkers(workers);
            } catch (RuntimeException | Error e) {
                ns.close();
                throw e;
            }
            return ns;
        }

        int port() {
            return q.port;
        }

        /** The master's pid as seen from here, outside its namespace. */
        long master() {
            if (master == 0) {
                master = await().atMost(Qilin.BOOT).alias("the child of unshare " + q.pid())
                        .until(() -> children(q.pid()).stream().findFirst().orElse(0L), p -> p > 0);
                assertThat(nsPid(master)).as("the master's pid inside its namespace").isEqualTo(1);
            }
            return master;
        }

        /** The master's worker JVMs (outside pids), leaving out other children such as adopted orphans. */
        List<Long> workers() {
            return children(master()).stream().filter(p -> "java".equals(command(p))).collect(Collectors.toList());
        }

        /** Waits until exactly {@code n} workers are alive and the master has logged each one ready. */
        List<Long> awaitReadyWorkers(int n) {
            await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(50)).alias(n + " ready workers, see " + q.logFile())
                    .until(() -> {
                        if (!q.isAlive()) {
                            throw new AssertionError("unshare exited with " + q.awaitExit(EXIT) + ":\n" + q.log());
                        }
                        List<Long> alive = workers();
                        return alive.size() == n && q.readyPids().containsAll(
                                alive.stream().map(Pid1NamespaceIT::nsPid).collect(Collectors.toList()));
                    });
            return workers();
        }

        @Override
        public void close() {
            q.close();   // kills unshare and every descendant; PID 1's death would take the namespace anyway
        }
    }

    // ---- /proc, read from outside the namespace

    /** Live children of {@code pid} (zombies included: they are still children until reaped). */
    static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        for (long p : allPids()) {
            String stat = stat(p);
            if (stat != null && Long.parseLong(stat.split(" ")[1]) == pid) {
                out.add(p);
            }
        }
        out.sort(null);
        return out;
    }

    static List<Long> zombieChildren(long pid) {
        return children(pid).stream().filter(p -> {
            String stat = stat(p);
            return stat != null && stat.startsWith("Z");
        }).collect(Collectors.toList());
    }

    /** The fields of /proc/PID/stat after "(comm) ": state first, then ppid; null if gone. */
    private static String stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<Long> allPids() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                out.add(Long.parseLong(p.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The last NSpid: the pid as the process's own namespace sees it; -1 if gone. */
    static long nsPid(long pid) {
        String line = status(pid, "NSpid:");
        if (line == null) {
            return -1;
        }
        String[] pids = line.trim().split("\\s+");
        return Long.parseLong(pids[pids.length - 1]);
    }

    private static String status(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return line.substring(key.length()).trim();
                }
            }
        } catch (IOException e) {
            // gone
        }
        return null;
    }

    private static String command(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean alive(long pid) {
        String stat = stat(pid);
        return stat != null && !stat.startsWith("Z");
    }

    private static long uid() {
        String uid = status(ProcessHandle.current().pid(), "Uid:");
        return uid == null ? -1 : Long.parseLong(uid.split("\\s+")[0]);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
