package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input gets one clear error line and a non-zero exit, and leaves no process behind (S6). */
class StartupErrorsIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void portInUseIsOneClearLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "io.qilin.examples.Hello")) {
                assertThat(q.awaitExit(EXIT)).isEqualTo(1);
                assertThat(errorLines(q)).containsExactly("cannot listen at 127.0.0.1:" + port + ": address already in use");
                assertThat(q.log()).doesNotContain("Exception").doesNotContain("\tat ");
            }
        }
    }

    @Test
    void unknownWorkerClassListsTheInstalledKinds() throws Exception {
        try (Qilin q = Qilin.start(0, "-k", "nosuch", "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(EXIT)).isNotZero();
            assertThat(q.log()).contains("qilin: error: no worker kind named 'nosuch'; found: ")
                    .contains("sync (qilin-worker-sync-").doesNotContain("\tat ");
            assertThat(q.log().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void badFlagIsOneLineAndExit2() throws Exception {
        try (Qilin q = Qilin.start(0, "--no-such-flag", "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(2);
            assertThat(q.log().strip()).startsWith("qilin: error: Unknown option: '--no-such-flag'");
            assertThat(q.log().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void unwritablePidfileIsOneClearLine() throws Exception {
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:" + Qilin.freePort(), "-p", "/nonexistent/dir/qilin.pid",
                "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(1);
            assertThat(errorLines(q)).containsExactly("cannot write pid file '/nonexistent/dir/qilin.pid': no such directory");
        }
    }

    @Test
    void missingAppClassHaltsTheMasterWithExit4AndNoRestartLoop() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", "com.example.Nope")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(4);
            assertThat(q.log()).contains("App failed to load: application class com.example.Nope was not found "
                    + "on the worker classpath").contains("Reason: App failed to load.");
            assertThat(q.count("Booting worker with pid")).isLessThanOrEqualTo(2);
            assertThat(q.log()).doesNotContain("\tat ");
            assertNoProcessesLeft(q);
        }
    }

    @Test
    void constructorThatThrowsHaltsTheMasterWithExit4() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "--classpath", Qilin.TEST_CLASSES,
                "io.qilin.it.apps.ThrowingApp")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(4);
            assertThat(q.log()).contains("App failed to load: the constructor of io.qilin.it.apps.ThrowingApp threw "
                    + "java.lang.IllegalStateException: database is down");
            assertNoProcessesLeft(q);
        }
    }

    @Test
    void memberThatIsNotAHandlerIsAnAppLoadError() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "io.qilin.examples.TestApp::BOOM_EXIT_CODE")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(4);
            assertThat(q.log()).contains("application io.qilin.examples.TestApp::BOOM_EXIT_CODE is a java.lang.Integer, "
                    + "but this worker kind serves com.sun.net.httpserver.HttpHandler");
        }
    }

    @Test
    void pidfileOfALiveProcessIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path pidfile = dir.resolve("app.pid");
        long live = ProcessHandle.current().pid();
        java.nio.file.Files.writeString(pidfile, live + "\n");
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:" + Qilin.freePort(), "-p", pidfile.toString(),
                "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(1);
            assertThat(errorLines(q)).containsExactly("Already running on PID " + live + " (or pid file '" + pidfile
                    + "' is stale)");
            assertThat(java.nio.file.Files.readString(pidfile).trim()).isEqualTo(Long.toString(live));
        }
    }

    @Test
    void stalePidfileIsReplacedAndRemovedOnExit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path pidfile = dir.resolve("app.pid");
        java.nio.file.Files.writeString(pidfile, "999999999\n");
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:" + Qilin.freePort(), "-p", pidfile.toString(),
                "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            assertThat(java.nio.file.Files.readString(pidfile).trim()).isEqualTo(Long.toString(q.pid()));
            q.signal("TERM");
            assertThat(q.awaitExit(EXIT)).isZero();
            assertThat(java.nio.file.Files.exists(pidfile)).isFalse();
        }
    }

    private static List<String> errorLines(Qilin q) {
        return q.log().lines().filter(l -> l.contains("[ERROR]"))
                .map(l -> l.substring(l.indexOf("[ERROR]") + 8)).collect(java.util.stream.Collectors.toList());
    }

    private static void assertNoProcessesLeft(Qilin q) {
        assertThat(ProcessHandle.allProcesses().filter(p -> p.parent().map(pp -> pp.pid() == q.pid()).orElse(false))
                .count()).isZero();
    }
}
