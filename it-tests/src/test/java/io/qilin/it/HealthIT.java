package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --health-bind}: /livez, /readyz and /startupz of a real master, and what they say while it
 * stops: /readyz fails at once on TERM (the signal handler flips it, while the graceful stop still
 * waits for requests in flight), /livez passes until the master is gone.
 */
class HealthIT {
    private static final String JSON = "Accept: application/json\r\n";
    /** Long enough that a slow, shared machine still has them in flight when /readyz is read after TERM. */
    private static final int SLEEP_SECONDS = 12;

    @Test
    void probesFollowTheMastersLifeAndReadyzFailsTheMomentTermArrives() throws Exception {
        int port = Qilin.freePort();
        int health = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", "--health-bind", Integer.toString(health),
                "--graceful-timeout", "60", "io.qilin.examples.TestApp")) {
            // the health bind opens before the first worker is spawned: startup fails, then passes for good
            List<Integer> startup = new ArrayList<>();
            await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(10)).until(() -> {
                Integer s = statusOrNull(health, "/startupz");
                if (s != null) {
                    startup.add(s);
                }
                return s != null && s == 200;
            });
            assertThat(startup.get(0)).as("/startupz before any worker is ready: %s", startup).isEqualTo(503);
            q.awaitReadyWorkers(2);
            assertThat(q.log()).contains("Health checks at: http://127.0.0.1:" + health + "/livez, /readyz, /startupz");

            Http.Response ready = Http.get(health, "/readyz");
            assertThat(ready.status).isEqualTo(200);
            assertThat(ready.head).contains("Content-Type: text/plain");
            assertThat(ready.body).isEqualTo("ok: 2 of 2 workers ready\n");
            assertThat(Http.get(health, "/livez").body).startsWith("ok: the master loop turned ");
            assertThat(Http.get(health, "/startupz").body).isEqualTo("ok: a worker has been ready\n");
            Http.Response json = get(health, "/readyz", JSON);
            assertThat(json.head).contains("Content-Type: application/json");
            assertThat(json.body).contains("\"check\":\"readyz\"", "\"status\":\"ok\"", "\"workers_ready\":2",
                    "\"workers_wanted\":2", "\"stopping\":false");
            assertThat(Http.get(health, "/livez?format=json").body).contains("\"check\":\"livez\"", "\"status\":\"ok\"");
            assertThat(Http.get(health, "/nope").status).isEqualTo(404);
            assertThat(Http.get(port, "/livez").status).as("the app's port serves the app, not the probes").isNotEqualTo(503);

            // both workers busy: the graceful stop has to wait for them
            List<CompletableFuture<Http.Response>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> get(port, "/sleep?s=" + SLEEP_SECONDS, "")));
            }
            q.awaitLog("(?s)(TestApp: /sleep\\?s=" + SLEEP_SECONDS + " started.*){2}");
            LivezWatch livez = new LivezWatch(health);
            livez.start();

            long sent = System.nanoTime();
            ProcessHandle.of(q.pid()).orElseThrow().destroy();   // SIGTERM, sent from this JVM: no kill(1) to fork
            int polls = 0;
            int status;
            do {
                status = Http.get(health, "/readyz").status;
                polls++;
            } while (status == 200);
            long flippedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            boolean stillServing = inFlight.stream().noneMatch(CompletableFuture::isDone);
            Http.Response stopping = get(health, "/readyz", JSON);
            System.out.printf("HealthIT: /readyz answered %d %d ms after TERM was sent (%d polls); /sleep requests"
                    + " in flight then: %s%n", status, flippedMillis, polls, stillServing);
            assertThat(status).isEqualTo(503);
            assertThat(stillServing).as("the graceful stop is still waiting for the requests in flight").isTrue();
            assertThat(stopping.body).contains("\"status\":\"failing\"", "\"reason\":\"the master is stopping\"",
                    "\"stopping\":true");

            for (CompletableFuture<Http.Response> f : inFlight) {
                assertThat(f.get().status).isEqualTo(200);
            }
            assertThat(q.awaitExit(Duration.ofSeconds(60))).isZero();
            livez.join(TimeUnit.SECONDS.toMillis(30));
            System.out.printf("HealthIT: /livez during the stop: %s%n", livez);
            assertThat(livez.non200).as("/livez answers other than 200 before the master exited").isEmpty();
            assertThat(livez.ok).as("/livez answered during the stop").isGreaterThan(0);
            assertThat(livez.refused).as("/livez ended by the master closing the bind").isTrue();
        }
    }

    /** Polls /livez until the health bind refuses connections: the master is gone. */
    private static final class LivezWatch extends Thread {
        private final int port;
        int ok;
        final List<String> non200 = new ArrayList<>();
        volatile boolean refused;

        LivezWatch(int port) {
            super("livez-watch");
            this.port = port;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                try {
                    Http.Response r = Http.get(port, "/livez");
                    if (r.status == 200) {
                        ok++;
                    } else {
                        non200.add(r.toString());
                    }
                    Thread.sleep(10);
                } catch (ConnectException e) {
                    refused = true;
                    return;
                } catch (IOException e) {
                    // the master closed the bind while this request was on it: the next connect is refused
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public String toString() {
            return ok + " x 200, then connection refused: " + refused + "; other answers " + non200;
        }
    }

    private static Integer statusOrNull(int port, String path) {
        try {
            return Http.get(port, path).status;
        } catch (IOException e) {
            return null;   // not bound yet
        }
    }

    private static Http.Response get(int port, String path, String headers) {
        try {
            return Http.send(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "Connection: close\r\n\r\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
