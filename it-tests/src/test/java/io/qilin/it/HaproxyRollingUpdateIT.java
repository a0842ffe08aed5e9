package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update the way Kubernetes does one, with HAProxy (Debian's package) as the load balancer:
 * two Qilin instances behind it, HAProxy health-checking each one's {@code /readyz} every 200 ms, and
 * each instance replaced in turn under steady load: TERM (the instance keeps serving for
 * {@code --shutdown-delay 2}, not ready, so HAProxy takes it out), graceful stop, a new instance on
 * the same ports, ready, back in. No request may fail at the load balancer. HAProxy may retry nothing
 * ({@code retries 0}, no redispatch), so a refused or reset connection to an instance is a failure.
 * Skips without {@code haproxy}, except under {@code CI=true} (.ci/run installs it), where it fails.
 */
class HaproxyRollingUpdateIT {
    @TempDir
    Path dir;

    @Test
    void replacingEachInstanceInTurnBehindHaproxyLosesNoRequest() throws Exception {
        Path haproxy = haproxyOrSkip();
        Instance a = new Instance("a", Qilin.freePort(), Qilin.freePort());
        Instance b = new Instance("b", Qilin.freePort(), Qilin.freePort());
        int lb = Qilin.freePort();
        int stats = Qilin.freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, config(lb, stats, List.of(a, b)));
        Path haproxyLog = Files.createDirectories(Qilin.LOGS).resolve("HaproxyRollingUpdateIT-haproxy.log");
        Process lbProcess = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(haproxyLog.toFile()).start();
        List<Qilin> all = new ArrayList<>();
        try {
            all.add(a.start());
            all.add(b.start());
            a.current.awaitReadyWorkers(2);
            b.current.awaitReadyWorkers(2);
            awaitServer(stats, "a", "UP");
            awaitServer(stats, "b", "UP");

            try (LoadClient load = LoadClient.start(lb, 4, "/pid", r -> r.status == 200 && r.body.matches("\\d+\\s*"))) {
                load.awaitMoreSuccesses(200);
                for (Instance i : List.of(a, b)) {
                    Qilin old = i.current;
                    long beforeTerm = load.successes();
                    old.signal("TERM");
                    // HAProxy sees /readyz 503 and takes the instance out while it still serves
                    awaitServer(stats, i.name, "DOWN");
                    assertThat(old.isAlive()).as("%s still in its --shutdown-delay when HAProxy took it out", i.name)
                            .isTrue();
                    assertThat(old.awaitExit(Duration.ofSeconds(40))).as("exit code of the old %s", i.name).isZero();
                    assertThat(old.log()).contains("Shutdown delay: serving 2 s more");
                    all.add(i.start());
                    i.current.awaitReadyWorkers(2);
                    awaitServer(stats, i.name, "UP");
                    load.awaitMoreSuccesses(200);
                    System.out.printf("HaproxyRollingUpdateIT: %s replaced (pid %d -> %d), %d requests answered meanwhile%n",
                            i.name, old.pid(), i.current.pid(), load.successes() - beforeTerm);
                }
                load.stop();
                Map<String, String> be = row(stats, "be", "BACKEND");
                System.out.printf("HaproxyRollingUpdateIT: %d requests through HAProxy, %d failed; %s; HAProxy backend:"
                                + " %s sessions, %s connection errors, %s response errors, %s 5xx; server a %s, server b %s%n",
                        load.successes() + load.failed(), load.failed(), load, be.get("stot"), be.get("econ"),
                        be.get("eresp"), be.get("hrsp_5xx"), row(stats, "be", "a").get("stot"),
                        row(stats, "be", "b").get("stot"));
                assertThat(load.failed()).as("failed requests at the load balancer: %s", load).isZero();
                assertThat(be.get("hrsp_5xx")).as("5xx answered by HAProxy").isEqualTo("0");
                assertThat(Long.parseLong(row(stats, "be", "a").get("stot"))).isPositive();
                assertThat(Long.parseLong(row(stats, "be", "b").get("stot"))).isPositive();
            }
        } finally {
            all.forEach(Qilin::close);
            lbProcess.destroy();
            lbProcess.waitFor();
        }
    }

    /** One Qilin instance's place behind HAProxy: its app and health ports, and the process now on them. */
    private static final class Instance {
        final String name;
        final int port;
        final int health;
        Qilin current;

        Instance(String name, int port, int health) {
            this.name = name;
            this.port = port;
            this.health = health;
        }

        Qilin start() throws IOException {
            current = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", "--health-bind", "127.0.0.1:" + health,
                    "--shutdown-delay", "2", "--graceful-timeout", "20", "io.qilin.examples.TestApp");
            return current;
        }
    }

    private static String config(int lb, int stats, List<Instance> instances) {
        StringBuilder servers = new StringBuilder();
        for (Instance i : instances) {
            servers.append("    server ").append(i.name).append(" 127.0.0.1:").append(i.port).append(" check port ")
                    .append(i.health).append(" inter 200ms fall 1 rise 2\n");
        }
        return """
                global
                    maxconn 1000
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                    timeout check 1s
                    retries 0
                    option http-server-close
                frontend fe
                    bind 127.0.0.1:%d
                    default_backend be
                backend be
                    balance roundrobin
                    option httpchk
                    http-check send meth GET uri /readyz
                    http-check expect status 200
                %slisten stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(lb, servers, stats);
    }

    /** Waits until HAProxy reports server {@code name} with {@code status} (UP, DOWN). */
    private static void awaitServer(int stats, String name, String status) {
        await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(50)).alias("HAProxy reports " + name + " " + status)
                .until(() -> row(stats, "be", name).getOrDefault("status", "").equals(status));
    }

    /** A row of HAProxy's CSV statistics, by column name. */
    private static Map<String, String> row(int stats, String proxy, String server) throws IOException {
        String[] lines = Http.send(stats, "GET /stats;csv HTTP/1.0\r\n\r\n").body.split("\n");
        String[] names = lines[0].replaceFirst("^# ", "").split(",", -1);
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            if (cells.length > 1 && cells[0].equals(proxy) && cells[1].equals(server)) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int c = 0; c < Math.min(names.length, cells.length); c++) {
                    m.put(names[c], cells[c]);
                }
                return m;
            }
        }
        throw new AssertionError("no " + proxy + "/" + server + " in HAProxy's statistics");
    }

    /** The haproxy binary, or the test skips (fails under CI=true) with why. */
    static Path haproxyOrSkip() {
        Optional<Path> bin = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                        Stream.of("/usr/sbin", "/usr/local/sbin", "/sbin"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "haproxy")).filter(Files::isExecutable).findFirst();
        if (bin.isEmpty()) {
            String why = "HAProxy is not installed (no haproxy on PATH or in /usr/sbin): apt-get install -y haproxy";
            if ("true".equals(System.getenv("CI"))) {
                fail(why + "; .ci/run should have installed it");
            }
            assumeTrue(false, why);
        }
        return bin.get();
    }
}
