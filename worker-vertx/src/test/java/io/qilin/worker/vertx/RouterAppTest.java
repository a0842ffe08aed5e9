package io.qilin.worker.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterAppTest {
    @Test
    void aRouterFactoryServesWithOneRouterPerEventLoop() throws Exception {
        int before = RouterApp.created.get();
        try (RunningWorker w = RunningWorker.start(c -> c.set("APP", RouterApp.class.getName() + "::router")
                .set("THREADS", 2))) {
            Map<String, String> threadOfRouter = new HashMap<>();
            for (int i = 0; i < 20; i++) {
                Http.Response r = Http.get(w.port, "/hello/ann");
                assertThat(r.status()).isEqualTo(200);
                String[] words = r.body().split(" ");
                assertThat(r.body()).startsWith("hello ann from router ");
                String previous = threadOfRouter.putIfAbsent(words[4], words[6]);
                assertThat(previous == null || previous.equals(words[6])).as("a router stays on its event loop").isTrue();
            }
            assertThat(RouterApp.created.get() - before).as("routers made").isEqualTo(2);
            assertThat(Http.get(w.port, "/nowhere").status()).isEqualTo(404);
            assertThat(Http.get(w.port, "/boom").status()).isEqualTo(500);
        }
    }
}
