package io.qilin.arbiter.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad value is refused with the setting, where it came from, the value and why (issue #22, item 7). */
class SettingsValidationTest {
    @TempDir
    Path dir;

    private Settings load(Map<String, String> env, String... args) {
        return new SettingsLoader(env, dir).load(args);
    }

    private Settings load(String... args) {
        return load(Map.of(), args);
    }

    @Test
    void everyWholeNumberSettingHasAnUpperBound() {
        for (Setting<?> s : Settings.ALL) {
            if (s.range() != null) {
                assertThat(s.range().max()).as(s.name() + " needs .atMost(...)").isLessThan(Integer.MAX_VALUE);
                assertThat(s.helpWithRange()).endsWith("From " + s.range().min() + " to " + s.range().max() + ".");
            }
        }
    }

    @Test
    void valuesBeyondTheBoundsAreRefused() {
        assertThat(load("-w", "512", "x.App").get(Settings.WORKERS_COUNT)).isEqualTo(512);
        assertThatThrownBy(() -> load("-w", "513", "x.App"))
                .hasMessage("Invalid value for workers from the command line: 513 (at most 512)");
        assertThatThrownBy(() -> load("-w", "99999999999999999999", "x.App"))
                .hasMessage("Invalid value for workers from the command line: 99999999999999999999 (at most 512)");
        assertThatThrownBy(() -> load("--limit-request-line", "8191", "x.App"))
                .hasMessage("Invalid value for limit_request_line from the command line: 8191 (at most 8190)");
        assertThatThrownBy(() -> load("--backlog", "65536", "x.App")).hasMessageEndingWith("(at most 65535)");
        assertThatThrownBy(() -> load("--timeout", "86401", "x.App")).hasMessageEndingWith("(at most 86400)");
        assertThatThrownBy(() -> load("--threads", "1.5", "x.App")).hasMessageEndingWith("(not a whole number)");
    }

    @Test
    void errorsNameTheirSource() throws Exception {
        assertThatThrownBy(() -> load(Map.of(SettingsLoader.CMD_ARGS, "--workers abc"), "x.App"))
                .hasMessage("Invalid value for workers from QILIN_CMD_ARGS: abc (not a whole number)");
        Path conf = Files.writeString(dir.resolve("q.properties"), "workers = abc\n");
        assertThatThrownBy(() -> load("-c", conf.toString(), "x.App"))
                .hasMessage("Invalid value for workers from " + conf + ": abc (not a whole number)");
        assertThatThrownBy(() -> load(Map.of(SettingsLoader.CMD_ARGS, "-c nope.properties"), "x.App"))
                .hasMessage("Invalid value for config from QILIN_CMD_ARGS: nope.properties (no such file)");
        Files.writeString(conf, "statsd_host = localhost:abc\n");
        assertThatThrownBy(() -> load("-c", conf.toString(), "x.App"))
                .hasMessage("Invalid value for statsd_host from " + conf + ": localhost:abc (HOST:PORT, such as 127.0.0.1:8125)");
    }

    @Test
    void theEnvironmentDefaultsAreCheckedAndNamed() {
        assertThat(load(Map.of("WEB_CONCURRENCY", "3", "PORT", "9000"), "x.App").get(Settings.WORKERS_COUNT)).isEqualTo(3);
        assertThat(load(Map.of("PORT", "9000"), "x.App").get(Settings.BIND)).containsExactly("0.0.0.0:9000");
        assertThat(load(Map.of("WEB_CONCURRENCY", "3"), "-w", "2", "x.App").get(Settings.WORKERS_COUNT)).isEqualTo(2);
        assertThatThrownBy(() -> load(Map.of("WEB_CONCURRENCY", "abc"), "x.App"))
                .hasMessage("Invalid value for workers from $WEB_CONCURRENCY: abc (not a whole number)");
        assertThatThrownBy(() -> load(Map.of("WEB_CONCURRENCY", "0"), "x.App"))
                .hasMessage("Invalid value for workers from $WEB_CONCURRENCY: 0 (at least 1)");
        assertThatThrownBy(() -> load(Map.of("PORT", "http"), "x.App"))
                .hasMessage("Invalid value for bind from $PORT: http (a port number, 1 to 65535)");
        assertThatThrownBy(() -> load(Map.of("PORT", "70000"), "x.App"))
                .hasMessage("Invalid value for bind from $PORT: 70000 (a port number, 1 to 65535)");
        // a default nobody uses is not read, as in Gunicorn
        assertThat(load(Map.of("PORT", "http", "WEB_CONCURRENCY", "abc"), "-b", "127.0.0.1:9000", "-w", "2", "x.App")
                .get(Settings.WORKERS_COUNT)).isEqualTo(2);
    }

    @Test
    void proxySettings() {
        Settings s = load("--proxy-protocol", "--proxy-allow-from", "10.0.0.0/8, ::1", "--forwarded-allow-ips", "*",
                "--secure-scheme-headers", "X-Scheme=https", "x.App");
        assertThat(s.get(Settings.PROXY_PROTOCOL)).isTrue();
        assertThat(s.get(Settings.PROXY_ALLOW_IPS)).isEqualTo("10.0.0.0/8, ::1");
        Settings defaults = load("x.App");
        assertThat(defaults.get(Settings.PROXY_PROTOCOL)).isFalse();
        assertThat(defaults.get(Settings.SECURE_SCHEME_HEADERS))
                .isEqualTo("X-FORWARDED-PROTOCOL=ssl,X-FORWARDED-PROTO=https,X-FORWARDED-SSL=on");
        assertThat(load("--secure-scheme-headers", "none", "x.App").get(Settings.SECURE_SCHEME_HEADERS)).isEqualTo("none");
        assertThatThrownBy(() -> load("--proxy-allow-from", "proxy.example.com", "x.App"))
                .hasMessage("Invalid value for proxy_allow_ips from the command line: proxy.example.com "
                        + "(IP addresses, networks (10.0.0.0/8) or *, comma separated)");
        assertThatThrownBy(() -> load("--forwarded-allow-ips", "10.0.0.0/40", "x.App"))
                .hasMessageStartingWith("Invalid value for forwarded_allow_ips from the command line: 10.0.0.0/40");
        assertThatThrownBy(() -> load("--secure-scheme-headers", "X-Forwarded-Proto", "x.App"))
                .hasMessage("Invalid value for secure_scheme_headers from the command line: X-Forwarded-Proto "
                        + "(NAME=VALUE pairs, comma separated, or none)");
    }

    @Test
    void anEmptyBindIsNotEveryInterface() throws Exception {
        assertThatThrownBy(() -> load("-b", "", "x.App")).hasMessageStartingWith(
                "Invalid value for bind from the command line: '' (empty; give HOST:PORT");
        Path conf = Files.writeString(dir.resolve("q.properties"), "bind =\n");
        assertThatThrownBy(() -> load("-c", conf.toString(), "x.App"))
                .hasMessageStartingWith("Invalid value for bind from " + conf + ": '' (empty;");
    }

    @Test
    void workerTmpDirMustBeAWritableDirectory() throws Exception {
        assertThatThrownBy(() -> load("--worker-tmp-dir", "/no/such/dir", "x.App"))
                .hasMessage("Invalid value for worker_tmp_dir from the command line: /no/such/dir (no such directory)");
        Path file = Files.writeString(dir.resolve("f"), "");
        assertThatThrownBy(() -> load("--worker-tmp-dir", file.toString(), "x.App"))
                .hasMessageEndingWith("(not a directory)");
        assertThat(load("--worker-tmp-dir", dir.toString(), "x.App").get(Settings.WORKER_TMP_DIR)).isEqualTo(dir.toString());
    }

    @Test
    void statsdHostMustBeAHostAndAPortThatResolve() {
        assertThat(load("--statsd-host", "127.0.0.1:8125", "x.App").get(Settings.STATSD_HOST)).isEqualTo("127.0.0.1:8125");
        assertThatThrownBy(() -> load("--statsd-host", "127.0.0.1:99999", "x.App"))
                .hasMessageEndingWith("(the port must be 1 to 65535)");
        assertThatThrownBy(() -> load("--statsd-host", "127.0.0.1", "x.App"))
                .hasMessageEndingWith("(HOST:PORT, such as 127.0.0.1:8125)");
        assertThatThrownBy(() -> load("--statsd-host", "no-such-host.invalid:8125", "x.App"))
                .hasMessage("Invalid value for statsd_host from the command line: no-such-host.invalid:8125 "
                        + "(cannot resolve host 'no-such-host.invalid')");
    }

    @Test
    void classpathFilesMustBeJars() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a jar");
        assertThatThrownBy(() -> load("--classpath", text.toString(), "x.App"))
                .hasMessage("Invalid value for classpath from the command line: " + text
                        + " (not a jar, nor a directory of classes)");
        Path fakeJar = Files.writeString(dir.resolve("fake.jar"), "not a zip");
        assertThatThrownBy(() -> load("--classpath", fakeJar.toString(), "x.App")).hasMessageContaining("not a jar");
        assertThatThrownBy(() -> load("--classpath", text + "/*", "x.App")).hasMessageEndingWith("(not a directory)");
        assertThat(load("--classpath", dir + "/*:" + dir, "x.App").classpathEntries()).hasSize(2);
    }

    @Test
    void aBrokenAccessLogFormatIsAnErrorAndAnUnknownAtomAWarning() {
        assertThatThrownBy(() -> load("--access-logformat", "%(h)s %(t", "x.App"))
                .hasMessage("Invalid value for access_log_format from the command line: %(h)s %(t ('%(t' is not an atom; "
                        + "write %(NAME)s)");
        assertThatThrownBy(() -> load("--access-logformat", "%(h)d", "x.App")).hasMessageContaining("is not an atom");
        Settings s = load("--access-logformat", "%(h)s %(zz)s %({X-Id}i)s", "x.App");
        assertThat(s.warnings()).containsExactly(
                "access_log_format: unknown atom %(zz)s (from the command line) is logged as '-'");
        assertThat(load("x.App").warnings()).isEmpty();
    }

    @Test
    void certfileAndKeyfileGoTogetherAndMustExist() throws Exception {
        assertThatThrownBy(() -> load("--certfile", "/no/cert.pem", "x.App"))
                .hasMessage("Invalid value for certfile from the command line: /no/cert.pem (certfile and keyfile go together)");
        assertThatThrownBy(() -> load("--certfile", "/no/cert.pem", "--keyfile", "/no/key.pem", "x.App"))
                .hasMessage("Invalid value for certfile from the command line: /no/cert.pem (no such file)");
        Path text = Files.writeString(dir.resolve("cert.pem"), "text");
        Path key = Files.writeString(dir.resolve("key.pem"), "text");
        assertThatThrownBy(() -> load("--certfile", text.toString(), "--keyfile", key.toString(), "x.App"))
                .hasMessage("Invalid value for certfile from the command line: " + text
                        + " (no PEM certificate in it (-----BEGIN CERTIFICATE-----))");
    }
}
