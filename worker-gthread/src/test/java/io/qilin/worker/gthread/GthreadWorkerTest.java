package io.qilin.worker.gthread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class GthreadWorkerTest {
    @Test
    void isFoundAsTheGthreadKind() {
        assertThat(ServiceLoader.load(WorkerKind.class).stream().map(p -> p.get().name()))
                .contains("gthread");
    }

    @Test
    void servesAPortableApp() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of()); RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client.get("/");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello\n");
            assertThat(response.header("content-type")).isEqualTo("text/plain");
            assertThat(client.get("/stream").body()).isEqualTo("part0\npart1\npart2\n");
        }
    }

    @Test
    void servesANativeUndertowApp() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("APP", NativeApp.class.getName()));
                RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client.get("/");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("native hello\n");
        }
    }

    @Test
    void servesOneHundredRequestsOnOneConnection() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of()); RawHttpClient client = w.connect()) {
            for (int i = 0; i < 100; i++) {
                RawHttpClient.Response response = client.get("/?n=" + i);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.closes()).isFalse();
            }
        }
    }

    @Test
    void closesAnIdleKeepAliveConnection() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("KEEP_ALIVE", 1)); RawHttpClient client = w.connect()) {
            assertThat(client.get("/").closes()).isFalse();
            assertThat(client.awaitClosedByServer()).isTrue();
        }
    }

    @Test
    void keepAliveZeroClosesEveryConnection() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("KEEP_ALIVE", 0)); RawHttpClient client = w.connect()) {
            assertThat(client.get("/").closes()).isTrue();
            assertThat(client.awaitClosedByServer()).isTrue();
        }
    }

    @Test
    void exitsAfterMaxRequests() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("MAX_REQUESTS", 3))) {
            try (RawHttpClient client = w.connect()) {
                assertThat(client.get("/").closes()).isFalse();
                assertThat(client.get("/").closes()).isFalse();
                RawHttpClient.Response last = client.get("/");
                assertThat(last.status()).isEqualTo(200);
                assertThat(last.closes()).isTrue();
                assertThat(client.awaitClosedByServer()).isTrue();
            }
            assertThat(w.awaitExit(RunningWorker.DEADLINE)).isTrue();
            assertThat(w.worker.isAlive()).isFalse();
        }
    }

    @Test
    void gracefulStopFinishesTheRequestsInFlight() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("THREADS", 4, "KEEP_ALIVE", 30))) {
            RawHttpClient idle = w.connect();
            assertThat(idle.get("/").closes()).isFalse();
            List<RawHttpClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(w.connect().send("GET /sleep?s=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
            }
            RunningWorker.awaitCondition(() -> TestApp.SLEEPING.get() == 4);
            w.worker.stop();
            for (RawHttpClient client : clients) {
                RawHttpClient.Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("slept\n");
                assertThat(response.closes()).isTrue();
                client.close();
            }
            // a kept-alive connection is still served while draining, then closed
            RawHttpClient.Response last = idle.get("/");
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.closes()).isTrue();
            idle.close();
            assertThat(w.awaitExit(RunningWorker.DEADLINE)).isTrue();
        }
    }

    @Test
    void theDrainEndsWhenTheLastConnectionCloses() throws Exception {
        // a graceful timeout past the test's deadline: only the connection count can end the drain in time
        try (RunningWorker w = RunningWorker.start(Map.of("KEEP_ALIVE", 30, "GRACEFUL_TIMEOUT", 120))) {
            RawHttpClient silent = w.connect(); // never sends a request
            RawHttpClient served = w.connect(); // accepted after the silent one, from the same queue
            assertThat(served.get("/").closes()).isFalse();
            w.worker.stop();
            served.close();
            silent.close();
            assertThat(w.awaitExit(RunningWorker.DEADLINE)).isTrue();
        }
    }

    @Test
    void acceptsNoMoreThanWorkerConnections() throws Exception {
        TestApp.release = new CountDownLatch(1);
        try (RunningWorker w = RunningWorker.start(Map.of("WORKER_CONNECTIONS", 1))) {
            RawHttpClient first = w.connect().send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            RunningWorker.awaitCondition(() -> TestApp.SLEEPING.get() == 1);
            try (RawHttpClient second = w.connect()) {
                second.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                // A negative check needs a wait: the second connection stays in the backlog, unanswered.
                Thread.sleep(500);
                assertThat(second.available()).isZero();
                TestApp.release.countDown();
                RawHttpClient.Response held = first.read();
                assertThat(held.status()).isEqualTo(200);
                assertThat(held.closes()).as("no room left for another kept-alive connection").isTrue();
                first.close();
                assertThat(second.read().status()).isEqualTo(200);
            }
        } finally {
            TestApp.release.countDown();
        }
    }

    @Test
    void anAppExceptionIs500AndTheWorkerServesOn() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of())) {
            try (RawHttpClient client = w.connect()) {
                RawHttpClient.Response response = client.get("/boom");
                assertThat(response.status()).isEqualTo(500);
                assertThat(response.closes()).isTrue();
            }
            try (RawHttpClient client = w.connect()) {
                assertThat(client.get("/").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void answers100ContinueBeforeTheBodyIsSent() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of()); RawHttpClient client = w.connect()) {
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(100);
            RawHttpClient.Response response = client.send("hello").read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello");
        }
    }

    @Test
    void takesBodiesOverUndertowsDefaultEntityLimit() throws Exception {
        String body = "x".repeat(3 * 1024 * 1024);
        try (RunningWorker w = RunningWorker.start(Map.of()); RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client
                    .send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).read();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).hasSize(body.length());
        }
    }

    @Test
    void refusesUnixListeners() {
        Listener unix = Listener.inherited(new ListenerSpec(3, ListenerSpec.Family.UNIX, "/tmp/qilin.sock"));
        WorkerContext context = WorkerContext.standalone(WorkerConfig.builder().set("APP", TestApp.class.getName()).build(),
                List.of(unix), getClass().getClassLoader());
        assertThatThrownBy(() -> new GthreadKind().create(context))
                .hasMessageContaining("cannot serve unix:/tmp/qilin.sock");
    }

}
