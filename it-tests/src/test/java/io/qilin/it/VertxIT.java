package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What only the vertx kind does: event loops, JDK 25. */
class VertxIT {


    @Test
    void everyEventLoopServes() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", "vertx", "--threads", "2",
                "--classpath", Qilin.TEST_CLASSES, "io.qilin.it.apps.BlockingLoopApp")) {
            q.awaitReadyWorkers(1);
            Set<String> loops = new HashSet<>();
            for (int i = 0; i < 200 && loops.size() < 2; i++) {
                loops.add(Http.get(port, "/").body.split(" ")[1]);
            }
            assertThat(loops).hasSize(2);
        }
    }

    @Test
    void runsOnJdk25WithoutWarnings() throws Exception {
        Optional<Path> jdk25 = Jdks.find(25);
        assumeTrue(jdk25.isPresent(), Jdks.missing(25));
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(Qilin.env("JAVA_HOME", jdk25.get().toString()), port,
                List.of(Qilin.HOME.resolve("bin/qilin").toString()), "-b", "127.0.0.1:" + port, "-k", "vertx", "-w", "2",
                "io.qilin.examples.TestApp")) {
            q.awaitReadyWorkers(2);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            assertThat(q.log()).doesNotContainIgnoringCase("warning:").doesNotContain("restricted method")
                    .doesNotContain("sun.misc.Unsafe");
        }
    }
}
