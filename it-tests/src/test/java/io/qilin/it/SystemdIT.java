package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd socket activation and sd_notify (S15): a stand-in for systemd passes the socket at fd 3 and
 * listens on NOTIFY_SOCKET; the test checks the exact messages and their order against the log.
 */
class SystemdIT {
    private static final Path SCRIPTS = Path.of(Qilin.TEST_CLASSES, "systemd");
    @TempDir
    Path dir;
    private Process listener;
    private Path notifySocket;
    private Path messages;

    @BeforeEach
    void listen() throws Exception {
        assumeTrue(onPath("python3"), "python3 stands in for systemd here; not installed");
        notifySocket = dir.resolve("notify.sock");
        messages = dir.resolve("notify.txt");
        listener = new ProcessBuilder("python3", SCRIPTS.resolve("notify_listen.py").toString(), notifySocket.toString(),
                messages.toString()).inheritIO().start();
        await().atMost(Qilin.BOOT).until(() -> Files.exists(notifySocket));
    }

    @AfterEach
    void stopListening() throws Exception {
        if (listener != null) {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void servesTheInheritedTcpSocketAndNotifiesReadyOnlyOnceWorkersAre() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(Qilin.env("NOTIFY_SOCKET", notifySocket.toString()), port,
                List.of("python3", SCRIPTS.resolve("socket_activate.py").toString(), "tcp", "127.0.0.1",
                        Integer.toString(port), "--", Qilin.HOME.resolve("bin/qilin").toString()),
                "-w", "2", "-b", "127.0.0.1:1", "io.qilin.examples.TestApp")) {
            List<Long> workers = q.awaitReadyWorkers(2);
            await().atMost(Qilin.BOOT).until(() -> lines().size() >= 1);
            assertThat(q.log()).contains("Using 1 socket(s) from systemd; --bind is ignored");
            assertThat(lines().get(0)).isEqualTo("READY=1 | STATUS=Serving generation 1 with 2 workers | MAINPID=" + q.pid());
            String log = q.log();
            for (long w : workers) {
                assertThat(log.indexOf("Worker (pid:" + w + ") is ready")).isLessThan(log.indexOf("sd_notify: READY=1"));
            }
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            await().atMost(Qilin.BOOT).until(() -> lines().size() >= 3);
            assertThat(lines().get(1)).matches("RELOADING=1 \\| MONOTONIC_USEC=\\d+ \\| STATUS=Reloading: starting generation 2");
            assertThat(lines().get(2)).isEqualTo("READY=1 | STATUS=Serving generation 2 with 2 workers");

            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            await().atMost(Qilin.BOOT).until(() -> lines().size() >= 4);
            assertThat(lines().get(3)).isEqualTo("STOPPING=1 | STATUS=Stopping");
        }
    }

    @Test
    void sendsWatchdogKeepAlivesFromTheMasterLoopWhenSystemdAsksForThem() throws Exception {
        Map<String, String> env = Qilin.env("NOTIFY_SOCKET", notifySocket.toString(), "WATCHDOG_USEC", "500000");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(env, port, List.of(Qilin.HOME.resolve("bin/qilin").toString()),
                "-b", "127.0.0.1:" + port, "-w", "1", "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            await().atMost(Qilin.BOOT).until(() -> watchdogPings() >= 5);
            assertThat(q.log()).contains("systemd watchdog: WATCHDOG=1 every 250 ms");
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
        }
    }

    @Test
    void noWatchdogKeepAlivesWhenWatchdogPidNamesAnotherProcess() throws Exception {
        Map<String, String> env = Qilin.env("NOTIFY_SOCKET", notifySocket.toString(), "WATCHDOG_USEC", "500000",
                "WATCHDOG_PID", "1");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(env, port, List.of(Qilin.HOME.resolve("bin/qilin").toString()),
                "-b", "127.0.0.1:" + port, "-w", "1", "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            await().atMost(Qilin.BOOT).until(() -> lines().stream().anyMatch(l -> l.startsWith("READY=1")));
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            assertThat(watchdogPings()).isZero();
        }
    }

    @Test
    void anInheritedUnixSocketIsNeverUnlinked() throws Exception {
        Path sock = dir.resolve("app.sock");
        try (Qilin q = Qilin.start(Qilin.env("NOTIFY_SOCKET", notifySocket.toString()), 0,
                List.of("python3", SCRIPTS.resolve("socket_activate.py").toString(), "unix", sock.toString(), "--",
                        Qilin.HOME.resolve("bin/qilin").toString()),
                "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            assertThat(Http.getUnix(sock, "/").body).isEqualTo("Hello, World!\n");
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            assertThat(Files.exists(sock)).as("systemd's socket file").isTrue();
        }
    }

    private List<String> lines() throws java.io.IOException {
        return Files.exists(messages) ? Files.readAllLines(messages) : List.of();
    }

    private long watchdogPings() throws java.io.IOException {
        return lines().stream().filter(l -> l.equals("WATCHDOG=1")).count();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
