package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The third-party kind of examples/jetty-kind, served by bin/qilin with the README's command:
 * {@code --classpath 'examples/jetty-kind/target/kind/*' --worker-class jetty}.
 */
class JettyKindIT {
    private static final Path KIND = Path.of(System.getProperty("qilin.it.jetty-kind",
            "../examples/jetty-kind/target/kind")).toAbsolutePath();

    @Test
    void theReadmeCommandServesTheHelloAppOnJetty() throws Exception {
        assertThat(KIND.resolve("qilin-jetty-kind.jar")).as("built by examples/jetty-kind").exists();
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "--classpath", KIND + "/*", "--worker-class", "jetty", "-w", "2",
                "--threads", "8", "-b", "127.0.0.1:" + port, "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(2);
            assertThat(q.log()).contains("Using worker: com.example.jetty.JettyKind").contains("jetty-12.");
            Http.Response r = Http.get(port, "/");
            assertThat(r.status).isEqualTo(200);
            assertThat(r.body).isEqualTo("Hello, World!\n");
            q.signal("TERM");
            assertThat(q.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(Files.list(KIND).anyMatch(p -> p.getFileName().toString().startsWith("jetty-server-"))).isTrue();
        }
    }
}
