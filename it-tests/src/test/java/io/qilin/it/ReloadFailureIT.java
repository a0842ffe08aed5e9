package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** A reload with broken code keeps the old generation serving; a later good reload succeeds (S7). */
class ReloadFailureIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void brokenDeployRollsBackAndTheNextGoodOneGoesLive(String kind, @TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        AppJar.deploy(jar, AppJar.greeting("v1", ""));
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, AppJar.args(jar, port, "-w", "2", "-k", kind).toArray(new String[0]))) {
            q.awaitReadyWorkers(2);
            try (LoadClient load = LoadClient.start(port, 4, "/", r -> r.status == 200
                    && (r.body.equals("v1") || r.body.equals("v2")))) {
                load.awaitMoreSuccesses(200);

                AppJar.deployEmpty(jar);   // the class is gone: workers exit 4
                q.signal("HUP");
                q.awaitLog("Reload failed: generation 2 could not boot \\(App failed to load\\.\\); generation 1 keeps serving");
                load.awaitMoreSuccesses(200);
                assertThat(Http.get(port, "/").body).isEqualTo("v1");

                AppJar.deploy(jar, AppJar.greeting("v1", "throw new IllegalStateException(\"no database\");"));
                q.signal("HUP");
                q.awaitLog("Reload failed: generation 3 could not boot");
                load.awaitMoreSuccesses(200);
                assertThat(Http.get(port, "/").body).isEqualTo("v1");

                AppJar.deploy(jar, AppJar.greeting("v2", ""));
                q.signal("HUP");
                q.awaitLog("Reload complete: generation 4 is serving");
                load.awaitMoreSuccesses(200);
                assertThat(Http.get(port, "/").body).isEqualTo("v2");
                load.stop();
                System.out.println("S7 " + kind + " broken reloads then a good one: " + load);
                assertThat(load.failed()).as(load.toString()).isZero();
            }
            assertThat(q.isAlive()).isTrue();
        }
    }
}
