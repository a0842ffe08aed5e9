package io.qilin.arbiter.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Gunicorn's tests/test_config.py, translated: defaults, validation, and the order of precedence. */
class SettingsLoaderTest {
    @TempDir
    Path dir;

    private Settings load(Map<String, String> env, String... args) {
        return new SettingsLoader(env, dir).load(args);
    }

    @Test
    void defaultsAreGunicorns() {
        Settings s = load(Map.of(), "app.Main");
        assertThat(s.get(Settings.BIND)).containsExactly("127.0.0.1:8000");
        assertThat(s.get(Settings.WORKERS_COUNT)).isEqualTo(1);
        assertThat(s.get(Settings.WORKER_CLASS)).isEqualTo("sync");
        assertThat(s.get(Settings.TIMEOUT)).isEqualTo(30);
        assertThat(s.get(Settings.GRACEFUL_TIMEOUT)).isEqualTo(30);
        assertThat(s.get(Settings.KEEPALIVE)).isEqualTo(2);
        assertThat(s.get(Settings.BACKLOG)).isEqualTo(2048);
        assertThat(s.get(Settings.LIMIT_REQUEST_LINE)).isEqualTo(4094);
        assertThat(s.get(Settings.LOGLEVEL)).isEqualTo("info");
        assertThat(s.get(Settings.DAEMON)).isFalse();
        assertThat(s.app()).isEqualTo("app.Main");
    }

    @Test
    void environmentDefaultsAsGunicorn() {
        // Gunicorn: $PORT makes the default bind 0.0.0.0:$PORT; WEB_CONCURRENCY the default worker count.
        // These read the real environment, so only the fallbacks are checked here.
        assertThat(Setting.splitList("a:1, unix:/b ,")).containsExactly("a:1", "unix:/b");
    }

    @Test
    void aConfigFileSetsValuesAndTheCommandLineWins() throws Exception {
        Files.writeString(dir.resolve("qilin.properties"), "workers = 3\nbind = 127.0.0.1:9001, unix:/tmp/a.sock\n"
                + "worker-class = gthread\nkeepalive = 7\napp = from.File\n");
        Settings fromFile = load(Map.of());
        assertThat(fromFile.get(Settings.WORKERS_COUNT)).isEqualTo(3);
        assertThat(fromFile.get(Settings.BIND)).containsExactly("127.0.0.1:9001", "unix:/tmp/a.sock");
        assertThat(fromFile.get(Settings.WORKER_CLASS)).isEqualTo("gthread");
        assertThat(fromFile.app()).isEqualTo("from.File");

        Settings cli = load(Map.of(), "-w", "5", "-b", "127.0.0.1:9002", "from.Cli");
        assertThat(cli.get(Settings.WORKERS_COUNT)).isEqualTo(5);
        assertThat(cli.get(Settings.BIND)).containsExactly("127.0.0.1:9002");
        assertThat(cli.get(Settings.KEEPALIVE)).isEqualTo(7);
        assertThat(cli.app()).isEqualTo("from.Cli");
    }

    @Test
    void cmdArgsOverrideTheFileAndTheCommandLineOverridesCmdArgs() throws Exception {
        Path conf = dir.resolve("other.properties");
        Files.writeString(conf, "workers = 3\ntimeout = 11\nmax_requests = 9\n");
        Map<String, String> env = Map.of(SettingsLoader.CMD_ARGS, "-c other.properties --workers 4 --timeout=12 -e 'A=b c'");
        Settings s = load(env, "--workers", "6", "x.App");
        assertThat(s.get(Settings.WORKERS_COUNT)).isEqualTo(6);
        assertThat(s.get(Settings.TIMEOUT)).isEqualTo(12);
        assertThat(s.get(Settings.MAX_REQUESTS)).isEqualTo(9);
        assertThat(s.workerEnv()).containsEntry("A", "b c");
    }

    @Test
    void invalidValuesNameTheSettingAndTheValue() throws Exception {
        assertThatThrownBy(() -> load(Map.of(), "-w", "many", "x.App"))
                .hasMessage("Invalid value for workers from the command line: many (not a whole number)");
        assertThatThrownBy(() -> load(Map.of(), "-w", "0", "x.App")).hasMessage("Invalid value for workers from the command line: 0 (at least 1)");
        assertThatThrownBy(() -> load(Map.of(), "--timeout", "-1", "x.App")).hasMessage("Invalid value for timeout from the command line: -1 (at least 0)");
        assertThatThrownBy(() -> load(Map.of(), "--log-level", "loud", "x.App"))
                .hasMessageStartingWith("Invalid value for loglevel from the command line: loud (one of debug, info");
        assertThatThrownBy(() -> load(Map.of(), "-b", "127.0.0.1:x", "x.App"))
                .hasMessage("Invalid value for bind from the command line: 127.0.0.1:x ('x' is not a valid port number)");
        assertThatThrownBy(() -> load(Map.of(), "--servlet-context-path", "api/", "x.App"))
                .hasMessage("Invalid value for servlet_context_path from the command line: api/ (a path starting with / and not ending with /, e.g. /api)");
        assertThat(load(Map.of(), "--servlet-context-path", "/api", "x.App").get(Settings.SERVLET_CONTEXT_PATH)).isEqualTo("/api");
        assertThatThrownBy(() -> load(Map.of(), "-e", "NOEQUALS", "x.App")).hasMessage("Invalid value for raw_env from the command line: NOEQUALS (KEY=VALUE)");
        assertThatThrownBy(() -> load(Map.of(), "--classpath", "/no/such.jar", "x.App"))
                .hasMessage("Invalid value for classpath from the command line: /no/such.jar (does not exist)");
        Files.writeString(dir.resolve("qilin.properties"), "wrokers = 2\n");
        assertThatThrownBy(() -> load(Map.of(), "x.App")).hasMessageStartingWith("unknown setting 'wrokers' in ");
        Files.writeString(dir.resolve("qilin.properties"), "daemon = maybe\n");
        assertThatThrownBy(() -> load(Map.of(), "x.App")).hasMessage("Invalid value for daemon from " + dir.resolve("qilin.properties") + ": maybe (true or false)");
    }

    @Test
    void maxWorkerMemoryIsASizeInBytesOrWithAUnit() {
        assertThat(load(Map.of(), "x.App").get(Settings.MAX_WORKER_MEMORY)).isZero();
        assertThat(load(Map.of(), "--max-worker-memory", "512m", "x.App").get(Settings.MAX_WORKER_MEMORY)).isEqualTo(512L << 20);
        assertThat(load(Map.of(), "--max-worker-memory", "2G", "x.App").get(Settings.MAX_WORKER_MEMORY)).isEqualTo(2L << 30);
        assertThat(load(Map.of(), "--max-worker-memory", "4096", "x.App").get(Settings.MAX_WORKER_MEMORY)).isEqualTo(4096L);
        assertThatThrownBy(() -> load(Map.of(), "--max-worker-memory", "lots", "x.App")).hasMessage(
                "Invalid value for max_worker_memory from the command line: lots (not a size (bytes, or a number with k, m, g or t: 512m))");
        assertThatThrownBy(() -> load(Map.of(), "--max-recycling", "0", "x.App"))
                .hasMessage("Invalid value for max_recycling from the command line: 0 (at least 1)");
        assertThat(Settings.reloadBatch(0, 3)).isEqualTo(1);
        assertThat(Settings.reloadBatch(0, 16)).isEqualTo(4);
        assertThat(Settings.reloadBatch(2, 16)).isEqualTo(2);
        assertThat(Settings.reloadBatches(2, 5)).isEqualTo(3);
    }

    @Test
    void metricsBindIsAHostAndAPort() {
        assertThat(load(Map.of(), "--metrics-bind", "127.0.0.1:9100", "x.App").get(Settings.METRICS_BIND))
                .isEqualTo("127.0.0.1:9100");
        assertThat(load(Map.of(), "--metrics-bind", "[::1]:9100", "x.App").get(Settings.METRICS_BIND)).isEqualTo("[::1]:9100");
        for (String bad : new String[] {"9100", "127.0.0.1", "unix:/tmp/m.sock", "host:99999", "a:b"}) {
            assertThatThrownBy(() -> load(Map.of(), "--metrics-bind", bad, "x.App"))
                    .hasMessage("Invalid value for metrics_bind from the command line: " + bad + " (HOST:PORT, such as 127.0.0.1:9100)");
        }
        assertThat(load(Map.of(), "x.App").get(Settings.METRICS_BIND)).isNull();
        assertThat(load(Map.of(), "--control-socket", "/run/q.ctl", "x.App").get(Settings.CONTROL_SOCKET)).isEqualTo("/run/q.ctl");
    }

    @Test
    void healthBindIsAHostAndAPortOrAPort() {
        assertThat(load(Map.of(), "--health-bind", "0.0.0.0:8081", "x.App").get(Settings.HEALTH_BIND)).isEqualTo("0.0.0.0:8081");
        assertThat(load(Map.of(), "--health-bind", "8081", "x.App").get(Settings.HEALTH_BIND)).isEqualTo("8081");
        for (String bad : new String[] {"99999", "127.0.0.1", "unix:/tmp/h.sock", "host:99999", "a:b"}) {
            assertThatThrownBy(() -> load(Map.of(), "--health-bind", bad, "x.App")).hasMessage("Invalid value for health_bind from the command line: "
                    + bad + " (HOST:PORT, such as 0.0.0.0:8081, or a PORT on 127.0.0.1)");
        }
        assertThat(load(Map.of(), "x.App").get(Settings.HEALTH_BIND)).isNull();
    }

    @Test
    void unknownFlagsAreParameterErrors() {
        assertThatThrownBy(() -> load(Map.of(), "--wrokers", "2")).isInstanceOf(CommandLine.ParameterException.class);
        assertThatThrownBy(() -> load(Map.of(), "-c", "missing.properties", "x.App"))
                .hasMessage("Invalid value for config from the command line: missing.properties (no such file)");
    }

    @Test
    void switchesAndRepeatedOptions() {
        Settings s = load(Map.of(), "-D", "--check-config", "-b", "unix:/a,b.sock", "-b", "[::1]:80", "x.App");
        assertThat(s.get(Settings.DAEMON)).isTrue();
        assertThat(s.get(Settings.CHECK_CONFIG)).isTrue();
        assertThat(s.get(Settings.BIND)).containsExactly("unix:/a,b.sock", "[::1]:80");
    }

    @Test
    void printConfigListsEverySetting() {
        List<String> lines = load(Map.of(), "-w", "3", "x.App").describe();
        assertThat(lines).contains("workers = 3", "bind = 127.0.0.1:8000", "app = x.App");
        assertThat(lines).hasSize(Settings.ALL.size() + 1);
    }

    @Test
    void eachSettingIsDeclaredOnceWithUniqueFlags() {
        assertThat(Settings.ALL.stream().map(Setting::name)).doesNotHaveDuplicates();
        assertThat(Settings.ALL.stream().flatMap(s -> s.flags().stream())).doesNotHaveDuplicates();
    }
}
