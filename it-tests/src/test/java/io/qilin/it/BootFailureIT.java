package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker JVM that dies before it is ready, even before Qilin's code runs, is retried with backoff,
 * never in a storm: at first start the master gives up with exit 3 and one line carrying the JVM's
 * own message; at reload the new generation is abandoned and {@code reload --wait} says why.
 */
class BootFailureIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--worker-jvm-opts|-XX:+NoSuchOption|Worker failed to boot: Unrecognized VM option 'NoSuchOption' (exit code 1).",
        "--worker-jvm-opts|-Xmx1q|Worker failed to boot: Invalid maximum heap size: -Xmx1q (exit code 1).",
        "--worker-jvm-opts|-Xmx2m|Worker failed to boot: ",   // what the JVM says depends on how far it got
        "--java|/bin/false|Worker failed to boot (exit code 1).",
    })
    void aWorkerJvmThatCannotStartStopsTheMasterWithExit3AndOneLine(String flag, String value, String reason)
            throws Exception {
        int port = Qilin.freePort();
        long started = System.nanoTime();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", flag, value, "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(EXIT)).isEqualTo(3);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.println("boot failure " + value + ": master exited 3 after " + millis + " ms");
            List<String> errors = errorLines(q);
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0)).startsWith("Reason: " + reason);
            // the JVM's own lines are folded into that one line, not printed once per attempt
            assertThat(q.log()).doesNotContain("Error: Could not create the Java Virtual Machine")
                    .doesNotContain("\tat ").doesNotContain("Exception");
            assertThat(q.count("Retrying in")).isLessThan(3);
            assertThat(q.count("Booting worker")).isZero();
            assertNoProcessesLeft(q);
        }
    }

    @Test
    void aReloadWithABadJvmOptionIsAbandonedAndReloadWaitSaysWhy(@TempDir Path dir) throws Exception {
        int port = Qilin.freePort();
        Path conf = dir.resolve("qilin.properties");
        Path socket = dir.resolve("m.ctl");
        Files.writeString(conf, "bind = 127.0.0.1:" + port + "\nworkers = 2\n");
        try (Qilin q = Qilin.start(port, "-c", conf.toString(), "--control-socket", socket.toString(),
                "io.qilin.examples.TestApp")) {
            List<Long> old = q.awaitReadyWorkers(2);

            Files.writeString(conf, "bind = 127.0.0.1:" + port + "\nworkers = 2\nworker_jvm_opts = -XX:+NoSuchOption\n");
            long started = System.nanoTime();
            Process ctl = new ProcessBuilder(Qilin.HOME.resolve("bin/qilin").toString(), "ctl", "--socket",
                    socket.toString(), "reload", "--wait").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("ctl.out").toFile()).start();
            assertThat(ctl.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS)).as("reload --wait returned").isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            String out = Files.readString(dir.resolve("ctl.out"), StandardCharsets.UTF_8);
            System.out.println("bad option at reload: reload --wait exited " + ctl.exitValue() + " after " + millis + " ms");

            assertThat(ctl.exitValue()).as(out).isEqualTo(1);
            assertThat(out).contains("Reload failed: generation 2 could not boot (Worker failed to boot: "
                    + "Unrecognized VM option 'NoSuchOption' (exit code 1).); generation 1 keeps serving");
            assertThat(q.workerPids()).containsExactlyElementsOf(old);
            for (int i = 0; i < old.size() * 2; i++) {
                assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            }
            assertThat(q.count("Spawned worker \\(pid:\\d+, generation 2")).isLessThanOrEqualTo(4);
            assertThat(q.isAlive()).isTrue();
        }
    }

    private static List<String> errorLines(Qilin q) {
        return q.log().lines().filter(l -> l.contains("[ERROR]"))
                .map(l -> l.substring(l.indexOf("[ERROR]") + 8)).collect(Collectors.toList());
    }

    private static void assertNoProcessesLeft(Qilin q) {
        assertThat(ProcessHandle.allProcesses().filter(p -> p.parent().map(pp -> pp.pid() == q.pid()).orElse(false))
                .count()).isZero();
    }
}
