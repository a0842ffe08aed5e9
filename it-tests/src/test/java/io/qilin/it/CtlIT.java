package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qilin ctl} against live masters: every command through {@code bin/qilin ctl}, its answers
 * checked against the real processes (the master's children), and the metrics endpoint scraped and
 * parsed. The JSON and Prometheus parsers here are the test's own, so the wire formats are checked
 * independently of the code that writes them.
 */
class CtlIT {

    @Test
    void statusAndMetricsShowTheRealWorkers(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        int metricsPort = Qilin.freePort();
        try (Qilin q = Qilin.serving(2, "--control-socket", socket.toString(),
                "--metrics-bind", "127.0.0.1:" + metricsPort)) {
            List<Long> workers = q.workerPids();

            Result json = ctl(socket, "status", "--json");
            assertThat(json.code).as(json.toString()).isZero();
            Map<String, Object> status = MiniJson.object(json.out.trim());
            Map<String, Object> master = MiniJson.object(status.get("master"));
            assertThat(master.get("pid")).isEqualTo(q.pid());
            assertThat(master.get("generation")).isEqualTo(1L);
            assertThat(MiniJson.list(master.get("listeners"))).containsExactly("http://127.0.0.1:" + q.port);
            assertThat(MiniJson.object(master.get("settings"))).containsEntry("workers", "2")
                    .containsEntry("app", "io.qilin.examples.TestApp").containsKey("digest");
            List<Map<String, Object>> ws = MiniJson.objects(status.get("workers"));
            assertThat(ws.stream().map(w -> (Long) w.get("pid")).sorted().collect(Collectors.toList())).isEqualTo(workers);
            for (Map<String, Object> w : ws) {
                assertThat(w).containsEntry("state", "ready").containsEntry("generation", 1L).containsEntry("in_flight", 0L);
                assertThat((Long) w.get("heap_used")).isPositive().isLessThanOrEqualTo((Long) w.get("heap_max"));
            }
            Result table = ctl(socket, "status");
            assertThat(table.code).isZero();
            assertThat(table.out).contains("Master " + q.pid(), "Listening at: http://127.0.0.1:" + q.port);
            workers.forEach(p -> assertThat(table.out).containsPattern("(?m)^" + p + " +1 +ready "));

            for (int i = 0; i < 5; i++) {
                assertThat(Http.get(q.port, "/").status).isEqualTo(200);
            }
            await().atMost(Qilin.BOOT).until(() -> scrape(metricsPort).value("qilin_requests_total") == 5);
            Metrics m = scrape(metricsPort);
            assertThat(m.value("qilin_workers", "state", "ready")).isEqualTo(2);
            assertThat(m.value("qilin_workers", "state", "booting")).isZero();
            assertThat(m.labelValues("qilin_worker_requests_total", "pid")).containsExactlyInAnyOrderElementsOf(
                    workers.stream().map(String::valueOf).collect(Collectors.toList()));
            assertThat(m.labelValues("qilin_worker_heartbeat_age_seconds", "pid")).hasSize(2);
            assertThat(m.value("qilin_worker_restarts_total", "reason", "signalled")).isZero();

            long victim = workers.get(0);
            Qilin.signal(victim, "KILL");
            await().atMost(Qilin.BOOT).until(() -> scrape(metricsPort).value("qilin_worker_restarts_total", "reason", "signalled") == 1
                    && scrape(metricsPort).value("qilin_workers", "state", "ready") == 2);
            assertThat(scrape(metricsPort).value("qilin_requests_total")).isEqualTo(5);   // the dead worker's still count
            Map<String, Object> after = MiniJson.object(ctl(socket, "status", "--json").out.trim());
            assertThat(MiniJson.objects(after.get("recent_exits"))).anySatisfy(e -> assertThat(e)
                    .containsEntry("pid", victim).containsEntry("reason", "signalled").containsEntry("detail", "killed by SIGKILL"));

            Result reload = ctl(socket, "reload", "--wait");
            assertThat(reload.code).as(reload.toString()).isZero();
            await().atMost(Qilin.BOOT).until(() -> scrape(metricsPort).value("qilin_reloads_total", "outcome", "complete") == 1);
        }
    }

    @Test
    void reloadWaitReportsTheNewGenerationOrTheRollback(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        Path socket = dir.resolve("m.ctl");
        AppJar.deploy(jar, AppJar.greeting("v1", ""));
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, AppJar.args(jar, port, "-w", "2", "--control-socket", socket.toString())
                .toArray(new String[0]))) {
            q.awaitReadyWorkers(2);

            AppJar.deploy(jar, AppJar.greeting("v2", ""));
            Result ok = ctl(socket, "reload", "--wait");
            assertThat(ok.code).as(ok.toString()).isZero();
            assertThat(ok.out).startsWith("Reloading: generation 2 is starting\n")
                    .contains("Reload complete: generation 2");
            assertThat(Http.get(port, "/").body).isEqualTo("v2");

            AppJar.deployEmpty(jar);   // the class is gone: the new workers exit 4
            Result failed = ctl(socket, "reload", "--wait");
            assertThat(failed.code).as(failed.toString()).isEqualTo(1);
            assertThat(failed.out).startsWith("Reloading: generation 3 is starting\n");
            assertThat(failed.err).contains("Reload failed: generation 3 could not boot (App failed to load.); "
                    + "generation 2 keeps serving");
            assertThat(Http.get(port, "/").body).isEqualTo("v2");
            await().atMost(Qilin.BOOT).untilAsserted(() -> {
                Map<String, Object> status = MiniJson.object(ctl(socket, "status", "--json").out.trim());
                assertThat(MiniJson.object(status.get("master"))).containsEntry("generation", 2L);
                List<Map<String, Object>> ws = MiniJson.objects(status.get("workers"));
                assertThat(ws).hasSize(2).allSatisfy(w -> assertThat(w).containsEntry("generation", 2L));
                assertThat(ws.stream().map(w -> (Long) w.get("pid")).sorted().collect(Collectors.toList()))
                        .isEqualTo(q.workerPids());
            });
            assertThat(q.isAlive()).isTrue();
        }
    }

    @Test
    void scaleKillAndDumpActOnTheWorkers(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        try (Qilin q = Qilin.serving(2, "--control-socket", socket.toString())) {
            assertThat(ctl(socket, "scale", "3").out).isEqualTo("Number of workers: 3\n");
            q.awaitReadyWorkers(3);
            assertThat(ctl(socket, "scale", "-2").out).isEqualTo("Number of workers: 1\n");
            q.awaitReadyWorkers(1);
            assertThat(ctl(socket, "scale", "+1").out).isEqualTo("Number of workers: 2\n");
            List<Long> workers = q.awaitReadyWorkers(2);
            Result tooFew = ctl(socket, "scale", "-2");
            assertThat(tooFew.code).isEqualTo(1);
            assertThat(tooFew.err).contains("at least 1 must stay");

            long victim = workers.get(0);
            Result kill = ctl(socket, "kill", Long.toString(victim));
            assertThat(kill.code).as(kill.toString()).isZero();
            await().atMost(Qilin.BOOT).until(() -> !q.workerPids().contains(victim));
            workers = q.awaitReadyWorkers(2);
            Result noSuch = ctl(socket, "kill", "1");
            assertThat(noSuch.code).isEqualTo(1);
            assertThat(noSuch.err).contains("no worker has pid 1");

            // long enough to outlast two JVM starts of bin/qilin ctl on a busy machine
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=10"));
            long busy = Long.parseLong(q.awaitLog("TestApp: /sleep\\?s=10 started in pid (\\d+)").group(1));
            Map<String, Object> serving = MiniJson.objects(MiniJson.object(ctl(socket, "status", "--json").out.trim())
                    .get("workers")).stream().filter(w -> w.get("pid").equals(busy)).findFirst().orElseThrow();
            assertThat(serving).containsEntry("request", "GET /sleep HTTP/1.1").containsEntry("in_flight", 1L);
            assertThat((Long) serving.get("request_ms")).isNotNegative();
            Result dump = ctl(socket, "dump", Long.toString(busy));
            assertThat(dump.code).as(dump.toString()).isZero();
            assertThat(dump.out).startsWith("==== worker " + busy + " ====\nFull thread dump of pid " + busy)
                    .contains("at app//io.qilin.examples.TestApp.sleep(TestApp.java:");
            assertThat(slow.get(Qilin.BOOT.toSeconds(), TimeUnit.SECONDS).status).isEqualTo(200);

            Result all = ctl(socket, "dump");
            assertThat(all.code).as(all.toString()).isZero();
            workers.forEach(p -> assertThat(all.out).contains("==== worker " + p + " ====\nFull thread dump of pid " + p));
            assertThat(q.workerPids()).isEqualTo(workers);   // PWR did not hurt anyone
        }
    }

    @Test
    void reopenReopensTheLogOfTheMasterAndEveryWorker(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("m.ctl");
        Path log = dir.resolve("error.log");
        try (Qilin q = Qilin.serving(2, "--control-socket", socket.toString(), "--error-logfile", log.toString())) {
            List<Long> workers = q.workerPids();
            Files.move(log, dir.resolve("error.log.1"));
            Result r = ctl(socket, "reopen");
            assertThat(r.code).as(r.toString()).isZero();
            await().atMost(Qilin.BOOT).until(() -> Files.exists(log)
                    && workers.stream().allMatch(w -> read(log).contains("[" + w + "] [INFO] Reopened log files")));
            assertThat(read(dir.resolve("error.log.1"))).contains("[" + q.pid() + "] [INFO] Control: reopen");
        }
    }

    @Test
    void stopWaitsForTheMasterGracefullyOrQuickly(@TempDir Path dir) throws Exception {
        Path pidfile = dir.resolve("m.pid");
        try (Qilin q = Qilin.serving(1, "-p", pidfile.toString())) {
            Path socket = dir.resolve("m.pid.ctl");   // the default beside the pidfile
            assertThat(socket).exists();
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=2"));
            q.awaitLog("TestApp: /sleep\\?s=2 started");
            Result r = ctlWith(List.of("--pid", pidfile.toString()), "stop");
            assertThat(r.code).as(r.toString()).isZero();
            assertThat(r.out).isEqualTo("Stopping gracefully\nStopped\n");
            assertThat(socket).doesNotExist();   // "Stopped" comes once the master has cleaned up
            assertThat(pidfile).doesNotExist();
            assertThat(slow.get(Qilin.BOOT.toSeconds(), TimeUnit.SECONDS).status).isEqualTo(200);
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
        }
        Path socket = dir.resolve("q.ctl");
        try (Qilin q = Qilin.serving(1, "--control-socket", socket.toString())) {
            CompletableFuture<Http.Response> hung = CompletableFuture.supplyAsync(() -> get(q.port, "/hang"));
            q.awaitLog("TestApp: /hang started");
            Result r = ctl(socket, "stop", "--quick");
            assertThat(r.code).as(r.toString()).isZero();
            assertThat(r.out).isEqualTo("Stopping now (quick)\nStopped\n");
            assertThat(socket).doesNotExist();
            assertThat(hung.handle((resp, e) -> resp).get(Qilin.BOOT.toSeconds(), TimeUnit.SECONDS)).isNull();   // cut
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
        }
    }

    @Test
    void anotherUserIsRefusedEvenWhenTheSocketFileLetsItIn(@TempDir Path dir) throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root to run a client as another user");
        assumeTrue(onPath("setpriv"), "needs util-linux's setpriv to run a client as another user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));   // traversable, not listable
        Path socket = dir.resolve("m.ctl");
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
        try (Qilin q = Qilin.serving(1, "--control-socket", socket.toString())) {
            Result byMode = run(asNobody, socket, "status");
            assertThat(byMode.code).as(byMode.toString()).isEqualTo(3);
            assertThat(byMode.err).contains("cannot connect to the control socket " + socket, "Permission denied");

            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Result byPeer = run(asNobody, socket, "status");   // each side checks the other's uid
            assertThat(byPeer.code).as(byPeer.toString()).isEqualTo(3);
            assertThat(byPeer.err).isEqualTo("qilin: error: refusing the control socket " + socket
                    + ": it is served by user root, not by nobody (qilin ctl talks only to a master of its own user)\n");
            assertThat(byPeer.out).isEmpty();
            q.awaitLog("Control socket: refused a connection from user nobody");

            assertThat(ctl(socket, "status").code).isZero();   // the owner still gets in
        }
    }

    // --- running bin/qilin ctl ---------------------------------------------------------------------

    private static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result ctl(Path socket, String... args) {
        return run(List.of(), socket, args);
    }

    private static Result ctlWith(List<String> options, String... args) {
        return run(List.of(), options, args);
    }

    private static Result run(List<String> prefix, Path socket, String... args) {
        return run(prefix, List.of("--socket", socket.toString()), args);
    }

    /** {@code PREFIX bin/qilin ctl OPTIONS ARGS}, run to its end; output through files (a dump is large). */
    private static Result run(List<String> prefix, List<String> options, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Qilin.HOME.resolve("bin/qilin").toString());
        cmd.add("ctl");
        cmd.addAll(options);
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("ctl", ".out");
            Path err = Files.createTempFile("ctl", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(Qilin.BOOT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(cmd + " did not finish; stdout so far:\n" + Files.readString(out));
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    // --- a Prometheus text-format reader -----------------------------------------------------------

    private static Metrics scrape(int port) throws IOException {
        Http.Response r = Http.get(port, "/metrics");
        assertThat(r.status).isEqualTo(200);
        assertThat(r.head).containsIgnoringCase("Content-Type: text/plain; version=0.0.4");
        return Metrics.parse(r.body);
    }

    /** Samples of the text exposition format: {@code name{label="value",...} number}, checked line by line. */
    private static final class Metrics {
        private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
        private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");

        final List<Map.Entry<String, Map<String, String>>> keys = new ArrayList<>();
        final List<Double> values = new ArrayList<>();

        static Metrics parse(String text) {
            Metrics m = new Metrics();
            Map<String, String> types = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                Matcher c = COMMENT.matcher(line);
                if (c.matches()) {
                    if (c.group(1).equals("TYPE")) {
                        types.put(c.group(2), line.substring(line.lastIndexOf(' ') + 1));
                    }
                    continue;
                }
                Matcher s = SAMPLE.matcher(line);
                assertThat(s.matches()).as("a sample line: '" + line + "'").isTrue();
                assertThat(types).as("a # TYPE before " + line).containsKey(s.group(1));
                Map<String, String> labels = new LinkedHashMap<>();
                if (s.group(3) != null) {
                    Matcher l = LABEL.matcher(s.group(3));
                    int at = 0;
                    while (l.find() && l.start() == at) {
                        labels.put(l.group(1), l.group(2));
                        at = l.end();
                    }
                    assertThat(at).as("labels of " + line).isEqualTo(s.group(3).length());
                }
                m.keys.add(Map.entry(s.group(1), labels));
                m.values.add(Double.parseDouble(s.group(4)));
            }
            types.forEach((name, type) -> assertThat(type).isIn("counter", "gauge"));
            return m;
        }

        /** The value of the one sample of {@code name} with these labels (as pairs). */
        double value(String name, String... labels) {
            Map<String, String> want = new LinkedHashMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                want.put(labels[i], labels[i + 1]);
            }
            for (int i = 0; i < keys.size(); i++) {
                if (keys.get(i).getKey().equals(name) && keys.get(i).getValue().entrySet().containsAll(want.entrySet())) {
                    return values.get(i);
                }
            }
            throw new AssertionError("no sample " + name + want);
        }

        List<String> labelValues(String name, String label) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, Map<String, String>> k : keys) {
                if (k.getKey().equals(name)) {
                    out.add(k.getValue().get(label));
                }
            }
            return out;
        }
    }

    // --- a JSON reader -------------------------------------------------------------------------------

    /** Just enough JSON: objects, arrays, strings (with escapes), integers, decimals, true, false, null. */
    private static final class MiniJson {
        private final String s;
        private int i;

        private MiniJson(String s) {
            this.s = s;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> object(Object textOrMap) {
            if (textOrMap instanceof Map) {
                return (Map<String, Object>) textOrMap;
            }
            MiniJson p = new MiniJson((String) textOrMap);
            Object v = p.value();
            p.ws();
            assertThat(p.i).as("all of " + textOrMap + " is one JSON value").isEqualTo(p.s.length());
            return (Map<String, Object>) v;
        }

        @SuppressWarnings("unchecked")
        static List<Object> list(Object o) {
            return (List<Object>) o;
        }

        static List<Map<String, Object>> objects(Object o) {
            return list(o).stream().map(MiniJson::object).collect(Collectors.toList());
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                while (s.charAt(i) != '}') {
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                        ws();
                    }
                }
                i++;
                return m;
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                while (s.charAt(i) != ']') {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                    ws();
                }
                i++;
                return l;
            }
            if (c == '"') {
                return string();
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int start = i;
            while (i < s.length() && "-+.eE0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String n = s.substring(start, i);
            assertThat(n).as("a JSON value at " + start + " of " + s).isNotEmpty();
            return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 't': b.append('\t'); break;
                        case 'r': b.append('\r'); break;
                        case 'b': b.append('\b'); break;
                        case 'f': b.append('\f'); break;
                        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                        default: b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            assertThat(s.charAt(i)).as("'" + c + "' at " + i + " of " + s).isEqualTo(c);
            i++;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
