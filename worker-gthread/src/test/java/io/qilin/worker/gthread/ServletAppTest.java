package io.qilin.worker.gthread;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.AppLoadException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServletAppTest {
    @Test
    void servesAServletGivenAsAClass() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("APP", ServletApps.Greeting.class.getName()));
                RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client.get("/anything");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello context= secure=false\n");
            assertThat(response.closes()).as("keep-alive as for other apps").isFalse();
            assertThat(client.get("/boom").status()).as("an exception from a servlet").isEqualTo(500);
        }
    }

    @Test
    void deploysAnInitializerAtTheContextPathAndDestroysTheContextOnStop() throws Exception {
        int destroyedBefore = ServletApps.destroyed.get();
        int initializedBefore = ServletApps.initialized.get();
        RunningWorker w = RunningWorker.start(Map.of("APP", ServletApps.Initializer.class.getName(),
                "SERVLET_CONTEXT_PATH", "/api"));
        try (RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client.get("/api/todos");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hi from an initializer context=/api secure=false\n");
            assertThat(response.header("x-filtered")).isEqualTo("yes");
            assertThat(client.get("/elsewhere").status()).isEqualTo(404);
            assertThat(ServletApps.initialized.get()).isEqualTo(initializedBefore + 1);
            assertThat(ServletApps.destroyed.get()).isEqualTo(destroyedBefore);
        } finally {
            w.close(); // a graceful stop, as TERM
        }
        assertThat(ServletApps.destroyed.get()).isEqualTo(destroyedBefore + 1);
    }

    @Test
    void deploysADeploymentBuiltInCode() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("APP", ServletApps.class.getName() + "::deployment"));
                RawHttpClient client = w.connect()) {
            RawHttpClient.Response response = client.get("/built/x");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("built context=/built secure=false\n");
            assertThat(response.header("x-filtered")).isEqualTo("yes");
        }
    }

    @Test
    void aListenerThatFailsToStartIsAnAppLoadError() throws Exception {
        RunningWorker w = RunningWorker.start(Map.of("APP", ServletApps.Failing.class.getName()));
        assertThatFailure(w);
    }

    private static void assertThatFailure(RunningWorker w) throws InterruptedException {
        try {
            w.awaitExit(RunningWorker.DEADLINE);
            throw new AssertionError("the worker served an app whose listener failed");
        } catch (AssertionError e) {
            assertThat(e.getCause()).isInstanceOf(AppLoadException.class)
                    .hasMessageContaining("failed to start").hasMessageContaining("no database");
        }
    }
}
