package io.qilin.arbiter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher's side of -D, against a shell standing in for the detached master: it reports on fd 3. */
class DaemonTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int launch(String script, Duration patience) {
        return new Daemon(new PrintStream(err, true, StandardCharsets.UTF_8))
                .launch(List.of("/bin/sh", "-c", script), patience);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readyIsExit0AndNoOutput() {
        assertThat(launch("echo ready >&3; sleep 1", Duration.ofSeconds(30))).isZero();
        assertThat(err()).isEmpty();
    }

    @Test
    void anErrorIsOneLineAndTheMastersExitCode() {
        assertThat(launch("echo 'error cannot listen at 127.0.0.1:1: address already in use' >&3; exit 5",
                Duration.ofSeconds(30))).isEqualTo(5);
        assertThat(err()).isEqualTo("qilin: error: cannot listen at 127.0.0.1:1: address already in use\n");
    }

    @Test
    void anExitWithoutAReportIsAnError() {
        assertThat(launch("exit 7", Duration.ofSeconds(30))).isEqualTo(7);
        assertThat(err()).isEqualTo("qilin: error: the master exited with exit code 7 before it was ready "
                + "(see --error-logfile)\n");
    }

    @Test
    void aMasterThatIsNeverReadyIsAnErrorAfterThePatience() {
        assertThat(launch("exec 3>&-; sleep 3", Duration.ofMillis(500))).isEqualTo(1);   // closed its end, still running
        assertThat(err()).startsWith("qilin: error: the master (pid ").contains("was not ready within 0 s");
    }
}
