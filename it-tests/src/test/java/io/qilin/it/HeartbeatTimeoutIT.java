package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A worker whose heartbeat stops is aborted with a thread dump and replaced (S4). The beat comes from
 * the thread that must not hang: the accept loop of sync (so a hung request counts), an I/O thread of
 * gthread, an event loop of vertx.
 */
class HeartbeatTimeoutIT {

    static Stream<Arguments> hangs() {
        return Stream.of(
                Arguments.of("sync", "io.qilin.examples.TestApp", "io\\.qilin\\.examples\\.TestApp\\.handle"),
                Arguments.of("gthread", "io.qilin.it.apps.StuckIoApp", "io\\.qilin\\.it\\.apps\\.StuckIoApp\\.handleRequest"),
                Arguments.of("vertx", "io.qilin.it.apps.BlockingLoopApp", "io\\.qilin\\.it\\.apps\\.BlockingLoopApp\\.handle"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hangs")
    void aHungWorkerIsAbortedWithAThreadDumpAndReplaced(String kind, String app, String frame) throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", kind, "--timeout", "2",
                "--classpath", Qilin.TEST_CLASSES, app)) {
            long hung = q.awaitReadyWorkers(1).get(0);
            CompletableFuture<Void> hanging = CompletableFuture.runAsync(() -> {
                try {
                    Http.get(port, "/hang");
                } catch (java.io.IOException expected) {
                    // the worker is aborted under it
                }
            });
            // it-tests match these lines
            q.awaitLog("WORKER TIMEOUT \\(pid:" + hung + "\\): no heartbeat for 2 s", Duration.ofSeconds(30));
            q.awaitLog("\\[" + hung + "\\] \\[ERROR\\] Worker aborted by the master after a timeout");
            q.awaitLog("Full thread dump of pid " + hung + "(?s).*" + frame);
            q.awaitLog("Worker \\(pid:" + hung + "\\) exited with code 1\\.");
            List<Long> now = q.awaitReadyWorkers(1);
            assertThat(now).doesNotContain(hung);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            hanging.join();
        }
    }
}
