package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --request-timeout (by default --timeout) on the kinds whose requests run on threads of the
 * application: a hung request gets its thread's stack logged and its client a 503, the worker stops
 * gracefully and is replaced, and its other requests in flight finish with 200.
 */
class RequestTimeoutIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gthread", "vertx"})
    void aHungRequestIsAnsweredLoggedAndItsWorkerReplacedGracefully(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--timeout", "2", "--threads", "4")) {
            long old = q.workerPids().get(0);
            long sent = System.nanoTime();
            CompletableFuture<Http.Response> hung = CompletableFuture.supplyAsync(() -> get(q.port, "/hang"));
            q.awaitLog("TestApp: /hang started in pid " + old);
            CompletableFuture<Http.Response> other = CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=1.5"));
            q.awaitLog("TestApp: /sleep\\?s=1.5 started in pid " + old);

            Http.Response answer = hung.get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - sent) / 1e9;
            assertThat(answer.status).as("after %.1f s: %s", seconds, answer).isEqualTo(503);
            assertThat(answer.head).containsIgnoringCase("Connection: close");
            // the limit is 2 s; the answer comes within a second of it (a loose bound for a busy machine)
            assertThat(seconds).as("seconds to the 503").isLessThan(6);

            // the stack of the thread that runs the request, down to the application's frame
            q.awaitLog("Request timeout \\(pid: " + old + "\\): GET /hang HTTP/1.1 has run \\d+\\.\\d s, over "
                    + "--request-timeout 2; the stack of its thread:");
            assertThat(q.log()).containsPattern("\tat (app//)?io\\.qilin\\.examples\\.TestApp\\.sleep\\(TestApp\\.java:\\d+\\)");
            q.awaitLog("Worker \\(pid: " + old + "\\) stops gracefully to be replaced: thread .* is stuck");

            // the other request in flight on the old worker finishes normally
            Http.Response finished = other.get(30, TimeUnit.SECONDS);
            assertThat(finished.status).isEqualTo(200);
            assertThat(finished.body.trim()).isEqualTo(Long.toString(old));

            q.awaitLog("Worker \\(pid:" + old + "\\) exited with code 6: replaced after a request timeout\\.");
            List<Long> now = q.awaitReadyWorkers(1);
            assertThat(now).doesNotContain(old);
            Http.Response fresh = Http.get(q.port, "/pid");
            assertThat(fresh.status).isEqualTo(200);
            assertThat(Long.parseLong(fresh.body.trim())).isNotEqualTo(old);
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
