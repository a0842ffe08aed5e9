package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** TERM drains, INT is quick, and workers never outlive their master (S8, S9, S10). */
class ShutdownIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void termLetsRequestsInFlightFinish(String kind) throws Exception {   // S8
        try (Qilin q = Qilin.serving(kind, 4, "--threads", "4")) {
            List<Long> workers = q.workerPids();
            List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=2")));
            }
            await().atMost(Qilin.BOOT).until(() -> q.count("TestApp: /sleep\\?s=2 started") == 4);
            q.signal("TERM");
            for (CompletableFuture<Http.Response> f : inFlight) {
                assertThat(f.get().status).isEqualTo(200);
            }
            assertThat(q.awaitExit(EXIT)).isZero();
            assertThat(q.log()).contains("Shutting down: Master").doesNotContain("still running after");
            assertThatThrownBy(() -> Http.get(q.port, "/pid")).isInstanceOf(ConnectException.class);
            workers.forEach(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse());
        }
    }

    @Test
    void intStopsAtOnceEvenWithARequestHanging() throws Exception {   // S9
        try (Qilin q = Qilin.serving(2, "--graceful-timeout", "120")) {
            List<Long> workers = q.workerPids();
            CompletableFuture.runAsync(() -> {
                try {
                    Http.get(q.port, "/hang");
                } catch (java.io.IOException expected) {
                    // cut by the quick stop
                }
            });
            await().atMost(Qilin.BOOT).until(() -> q.count("TestApp: /hang started") == 1);
            q.signal("INT");
            // a graceful stop would wait 120 s for /hang; a quick one is over long before this bound
            assertThat(q.awaitExit(Duration.ofSeconds(30))).isZero();
            for (long pid : workers) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            }
        }
    }

    @Test
    void workersExitWhenTheMasterIsKilledAndThePortIsFreeAgain() throws Exception {   // S10
        int port;
        List<Long> workers;
        try (Qilin q = Qilin.serving(2)) {
            port = q.port;
            workers = q.workerPids();
            q.signal("KILL");
            q.awaitExit(EXIT);
            await().atMost(Duration.ofSeconds(30)).until(() -> workers.stream()
                    .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        }
        try (Qilin again = Qilin.start(port, "-b", "127.0.0.1:" + port, "io.qilin.examples.TestApp")) {
            again.awaitReadyWorkers(1);
            assertThat(again.log()).doesNotContain("address already in use");
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
        }
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
