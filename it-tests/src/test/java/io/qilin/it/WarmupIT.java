package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Warm before ready: a new worker sends its warm-up requests through its own HTTP stack on a loopback
 * listener of its own, runs the application's Warmup hook, and only then reports ready; a failing
 * warm-up path is logged and the worker serves anyway.
 */
class WarmupIT {
    private static final Pattern PORT_COUNTS = Pattern.compile(" (\\d+):(\\d+)/(\\d+)");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void warmupRequestsReachTheAppBeforeReadyAndNeverThroughTheSharedSocket(String kind, @TempDir Path dir) throws Exception {
        int port = Qilin.freePort();
        Path socket = dir.resolve("m.ctl");
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-k", kind, "-w", "1", "--classpath",
                Qilin.TEST_CLASSES, "--control-socket", socket.toString(), "--warmup-requests", "7",
                "--warmup-path", "/a", "--warmup-path", "/fail?x=1", "io.qilin.it.apps.WarmupCountingApp")) {
            long pid = q.awaitReadyWorkers(1).get(0);

            Http.Response stats = Http.get(port, "/stats");
            assertThat(stats.status).isEqualTo(200);
            // the hook ran, and no warm-up request came after the first user request
            assertThat(stats.body).startsWith("hook=true warmupAfterUser=false");
            int warmupElsewhere = 0;
            Matcher m = PORT_COUNTS.matcher(stats.body);
            while (m.find()) {
                int localPort = Integer.parseInt(m.group(1));
                int warmups = Integer.parseInt(m.group(2));
                int plain = Integer.parseInt(m.group(3));
                if (localPort == port) {
                    assertThat(warmups).as("warm-up requests through the shared socket: %s", stats.body).isZero();
                    assertThat(plain).isEqualTo(1); // this /stats
                } else {
                    assertThat(plain).as("user requests on the warm-up listener: %s", stats.body).isZero();
                    warmupElsewhere += warmups;
                }
            }
            assertThat(warmupElsewhere).as(stats.body).isEqualTo(7 * 2 + 1); // two paths, and the hook's request

            // the failing path is logged once, and the worker boots anyway; the boot line has the warm-up time
            assertThat(q.count("Warm-up request GET /fail\\?x=1 failed: status 500; the worker boots anyway")).isEqualTo(1);
            q.awaitLog("\\[" + pid + "\\] \\[INFO\\] Worker booted \\(pid: " + pid + "\\) in \\d+ ms, warm-up \\d+ ms: "
                    + "14 request\\(s\\) to /a /fail\\?x=1, 7 failed, warm-up hook run");
            // and the scoreboard has it, for qilin ctl status
            String status = ctl(socket, "status", "--json");
            assertThat(status).containsPattern("\"warmup_ms\": ?[1-9]");
            assertThat(ctl(socket, "status")).contains("WARM-UP");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void zeroWarmupRequestsTurnItOff(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--warmup-requests", "0")) {
            long pid = q.workerPids().get(0);
            q.awaitLog("Worker booted \\(pid: " + pid + "\\) in \\d+ ms, no warm-up");
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
        }
    }

    private static String ctl(Path socket, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Qilin.HOME.resolve("bin/qilin").toString(), "ctl",
                "--socket", socket.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
