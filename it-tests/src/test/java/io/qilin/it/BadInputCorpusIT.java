package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus, start-up half (issue #22): each case runs {@code bin/qilin} with one bad
 * flag, config file, environment variable or TLS file and asserts the exact outcome: the exit code,
 * ONE error line naming the setting and its source, no stack trace, and nothing left behind (no
 * process, pidfile, control socket or scoreboard of that master). docs/bad-input.md lists every case;
 * a test fails when one is missing there. The cases run in parallel, as most fail before any worker
 * JVM starts.
 */
class BadInputCorpusIT {
    private static final Path ROOT = Path.of("target/bad-input").toAbsolutePath();
    private static final Path DOCS = Path.of("../docs/bad-input.md");
    private static final Duration RUN = Duration.ofSeconds(300);   // a guard against a hang, not a measure
    private static final String MARK = "QILIN_CORPUS_MARK";
    private static final String STARTUP = "Start-up flags";
    private static final String CONFIG = "Config file and environment";
    private static final String TLS = "TLS material";
    private static final String CLI = "command line";
    private static final String APP = "io.qilin.examples.Hello";

    private static Path tls;
    private static ServerSocket busy;

    @BeforeAll
    static void makeTlsFilesAndTakeAPort() throws Exception {
        Files.createDirectories(ROOT);
        tls = Files.createTempDirectory(ROOT, "tls");
        TestCertificate.makeIn(tls);   // cert.pem, key.pem: CN=localhost, RSA
        TestCertificate.openssl(tls, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other-key.pem");
        TestCertificate.openssl(tls, "rsa", "-in", "key.pem", "-traditional", "-out", "pkcs1-key.pem");
        TestCertificate.openssl(tls, "pkcs8", "-topk8", "-v2", "aes256", "-passout", "pass:secret", "-in", "key.pem",
                "-out", "encrypted-key.pem");
        TestCertificate.openssl(tls, "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "sec1-key.pem");
        TestCertificate.dated(tls, "expired", "20200101000000Z", "20200201000000Z");
        TestCertificate.dated(tls, "expiring", TestCertificate.utc(Duration.ofDays(-1)), TestCertificate.utc(Duration.ofDays(10)));
        Files.writeString(tls.resolve("text.pem"), "This is not a certificate, just a note.\n");
        Files.writeString(tls.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nAAAAbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        Files.writeString(tls.resolve("garbage-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAAbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void releasePort() throws IOException {
        busy.close();
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        // Start-up flags: whole numbers, each with its bounds
        all.add(flag("workers-not-a-number", "-w abc", "-w", "abc").fails("Invalid value for workers from the command line: abc (not a whole number)"));
        all.add(flag("workers-zero", "-w 0", "-w", "0").fails("Invalid value for workers from the command line: 0 (at least 1)"));
        all.add(flag("workers-negative", "-w -3", "-w", "-3").fails("Invalid value for workers from the command line: -3 (at least 1)"));
        all.add(flag("workers-above-scoreboard", "-w 513", "-w", "513").fails("Invalid value for workers from the command line: 513 (at most 512)"));
        all.add(flag("workers-beyond-long", "-w 99999999999999999999", "-w", "99999999999999999999")
                .fails("Invalid value for workers from the command line: 99999999999999999999 (at most 512)"));
        all.add(flag("threads-too-many", "--threads 5000", "--threads", "5000").fails("Invalid value for threads from the command line: 5000 (at most 4096)"));
        all.add(flag("threads-negative", "--threads -1", "--threads", "-1").fails("Invalid value for threads from the command line: -1 (at least 0)"));
        all.add(flag("worker-connections-zero", "--worker-connections 0", "--worker-connections", "0")
                .fails("Invalid value for worker_connections from the command line: 0 (at least 1)"));
        all.add(flag("worker-connections-too-many", "--worker-connections 2000000", "--worker-connections", "2000000")
                .fails("Invalid value for worker_connections from the command line: 2000000 (at most 1000000)"));
        all.add(flag("max-requests-negative", "--max-requests -1", "--max-requests", "-1")
                .fails("Invalid value for max_requests from the command line: -1 (at least 0)"));
        all.add(flag("max-requests-too-many", "--max-requests 2000000000", "--max-requests", "2000000000")
                .fails("Invalid value for max_requests from the command line: 2000000000 (at most 1000000000)"));
        all.add(flag("jitter-not-a-number", "--max-requests-jitter x", "--max-requests-jitter", "x")
                .fails("Invalid value for max_requests_jitter from the command line: x (not a whole number)"));
        all.add(flag("timeout-over-a-day", "-t 86401", "-t", "86401").fails("Invalid value for timeout from the command line: 86401 (at most 86400)"));
        all.add(flag("timeout-fraction", "-t 1.5", "-t", "1.5").fails("Invalid value for timeout from the command line: 1.5 (not a whole number)"));
        all.add(flag("graceful-timeout-too-long", "--graceful-timeout 100000", "--graceful-timeout", "100000")
                .fails("Invalid value for graceful_timeout from the command line: 100000 (at most 86400)"));
        all.add(flag("keep-alive-too-long", "--keep-alive 3601", "--keep-alive", "3601")
                .fails("Invalid value for keepalive from the command line: 3601 (at most 3600)"));
        all.add(flag("boot-timeout-zero", "--boot-timeout 0", "--boot-timeout", "0")
                .fails("Invalid value for boot_timeout from the command line: 0 (at least 1)"));
        all.add(flag("backlog-zero", "--backlog 0", "--backlog", "0").fails("Invalid value for backlog from the command line: 0 (at least 1)"));
        all.add(flag("backlog-too-long", "--backlog 70000", "--backlog", "70000").fails("Invalid value for backlog from the command line: 70000 (at most 65535)"));
        all.add(flag("request-line-too-long", "--limit-request-line 8191", "--limit-request-line", "8191")
                .fails("Invalid value for limit_request_line from the command line: 8191 (at most 8190)"));
        all.add(flag("request-fields-too-many", "--limit-request-fields 40000", "--limit-request-fields", "40000")
                .fails("Invalid value for limit_request_fields from the command line: 40000 (at most 32768)"));
        all.add(flag("request-field-size-too-big", "--limit-request-field_size 70000", "--limit-request-field_size", "70000")
                .fails("Invalid value for limit_request_field_size from the command line: 70000 (at most 65536)"));
        // Start-up flags: addresses
        all.add(flag("bind-empty", "-b ''", "-b", "").fails("Invalid value for bind from the command line: '' (empty; give HOST:PORT, "
                + "unix:PATH or fd://N (0.0.0.0:PORT for every interface))"));
        all.add(flag("bind-port-not-a-number", "-b 127.0.0.1:x", "-b", "127.0.0.1:x")
                .fails("Invalid value for bind from the command line: 127.0.0.1:x ('x' is not a valid port number)"));
        all.add(flag("bind-port-too-big", "-b 127.0.0.1:70000", "-b", "127.0.0.1:70000")
                .fails("Invalid value for bind from the command line: 127.0.0.1:70000 ('70000' is not a valid port number)"));
        all.add(flag("bind-unclosed-bracket", "-b [::1", "-b", "[::1").fails("Invalid value for bind from the command line: [::1 ('[::1' has an unclosed '[')"));
        all.add(flag("bind-unix-no-path", "-b unix:", "-b", "unix:").fails("Invalid value for bind from the command line: unix: ('unix:' names no socket path)"));
        all.add(flag("bind-fd-not-a-number", "-b fd://x", "-b", "fd://x").fails("Invalid value for bind from the command line: fd://x ('x' is not a valid file descriptor)"));
        all.add(flag("metrics-bind-no-host", "--metrics-bind 9100", "--metrics-bind", "9100")
                .fails("Invalid value for metrics_bind from the command line: 9100 (HOST:PORT, such as 127.0.0.1:9100)"));
        all.add(flag("statsd-port-not-a-number", "--statsd-host localhost:abc", "--statsd-host", "localhost:abc")
                .fails("Invalid value for statsd_host from the command line: localhost:abc (HOST:PORT, such as 127.0.0.1:8125)"));
        all.add(flag("statsd-port-too-big", "--statsd-host 127.0.0.1:70000", "--statsd-host", "127.0.0.1:70000")
                .fails("Invalid value for statsd_host from the command line: 127.0.0.1:70000 (the port must be 1 to 65535)"));
        all.add(flag("statsd-host-unresolvable", "--statsd-host no-such-host.invalid:8125", "--statsd-host", "no-such-host.invalid:8125")
                .fails("Invalid value for statsd_host from the command line: no-such-host.invalid:8125 (cannot resolve host 'no-such-host.invalid')"));
        all.add(flag("proxy-allow-from-a-name", "--proxy-allow-from proxy.example.com", "--proxy-allow-from", "proxy.example.com")
                .fails("Invalid value for proxy_allow_ips from the command line: proxy.example.com (IP addresses, networks (10.0.0.0/8) or *, comma separated)"));
        all.add(flag("forwarded-allow-ips-bad-prefix", "--forwarded-allow-ips 10.0.0.0/33", "--forwarded-allow-ips", "10.0.0.0/33")
                .fails("Invalid value for forwarded_allow_ips from the command line: 10.0.0.0/33 (IP addresses, networks (10.0.0.0/8) or *, comma separated)"));
        all.add(flag("secure-scheme-headers-no-value", "--secure-scheme-headers X-Forwarded-Proto", "--secure-scheme-headers", "X-Forwarded-Proto")
                .fails("Invalid value for secure_scheme_headers from the command line: X-Forwarded-Proto (NAME=VALUE pairs, comma separated, or none)"));
        all.add(flag("syslog-addr-no-scheme", "--log-syslog-to localhost:514", "--log-syslog-to", "localhost:514")
                .fails("Invalid value for syslog_addr from the command line: localhost:514 (expected udp://HOST:PORT, "
                        + "tcp://HOST:PORT or unix://PATH)"));
        all.add(flag("syslog-addr-unix-datagram", "--log-syslog-to unix:///dev/log#dgram", "--log-syslog-to", "unix:///dev/log#dgram")
                .fails("Invalid value for syslog_addr from the command line: unix:///dev/log#dgram (unix datagram sockets "
                        + "cannot be written from JDK 17; use udp:// or a stream socket)"));
        all.add(flag("syslog-host-unresolvable", "--log-syslog --log-syslog-to udp://no-such-host.invalid:514", "--log-syslog",
                "--log-syslog-to", "udp://no-such-host.invalid:514").fails("Invalid value for syslog_addr from the command line: "
                        + "udp://no-such-host.invalid:514 (cannot resolve host 'no-such-host.invalid')"));
        all.add(flag("syslog-tcp-refused", "--log-syslog --log-syslog-to tcp://127.0.0.1:1 (nothing listens)", "--log-syslog",
                "--log-syslog-to", "tcp://127.0.0.1:1")
                .fails("Invalid value for syslog_addr: tcp://127.0.0.1:1 (cannot connect: Connection refused)"));
        // Start-up flags: names and choices
        all.add(flag("unknown-flag", "--no-such-flag", "--no-such-flag").fails(2, "Unknown option: '--no-such-flag' (see qilin --help)"));
        all.add(new Case("flag-without-value", STARTUP, "-w (no value)", CLI, List.of("-w")).fails(2,
                "Missing required parameter for option '--workers' (INT) (see qilin --help)"));
        all.add(new Case("no-app", STARTUP, "no APP", CLI, List.of("-w", "2")).fails(2, "Missing required parameter: APP (see qilin --help)"));
        all.add(flag("unknown-worker-class", "-k gthred", "-k", "gthred").fails("no worker kind named 'gthred'; found: …"));
        all.add(flag("log-level-unknown", "--log-level loud", "--log-level", "loud")
                .fails("Invalid value for loglevel from the command line: loud (one of debug, info, warning, error, critical)"));
        all.add(flag("syslog-facility-unknown", "--log-syslog-facility local9", "--log-syslog-facility", "local9")
                .fails("Invalid value for syslog_facility from the command line: local9 (one of auth, authpriv, cron, daemon, "
                        + "ftp, kern, lpr, mail, news, security, syslog, user, uucp, local0, local1, local2, local3, local4, "
                        + "local5, local6, local7)"));
        all.add(flag("aot-cache-unknown", "--aot-cache maybe", "--aot-cache", "maybe")
                .fails("Invalid value for aot_cache from the command line: maybe (one of off, auto)"));
        all.add(flag("env-without-equals", "-e NOEQUALS", "-e", "NOEQUALS").fails("Invalid value for raw_env from the command line: NOEQUALS (KEY=VALUE)"));
        all.add(flag("env-without-key", "-e =x", "-e", "=x").fails("Invalid value for raw_env from the command line: =x (KEY=VALUE)"));
        all.add(flag("umask-not-octal", "-m 999", "-m", "999").fails("Invalid value for umask from the command line: 999 (octal, such as 0027)"));
        all.add(flag("user-unknown", "-u no-such-user-x", "-u", "no-such-user-x").fails("Invalid value for user from the command line: no-such-user-x (no such user)"));
        all.add(flag("group-unknown", "-g no-such-group-x", "-g", "no-such-group-x")
                .fails("Invalid value for group from the command line: no-such-group-x (no such group)"));
        all.add(flag("capture-output-to-stderr", "--capture-output without --error-logfile", "--capture-output")
                .fails("Invalid value for capture_output from the command line: true (needs --error-logfile FILE)"));
        all.add(flag("access-log-format-broken", "--access-logformat '%(h)s %(t'", "--access-logformat", "%(h)s %(t")
                .fails("Invalid value for access_log_format from the command line: %(h)s %(t ('%(t' is not an atom; write %(NAME)s)"));
        all.add(flag("access-log-format-not-s", "--access-logformat '%(h)d'", "--access-logformat", "%(h)d")
                .fails("Invalid value for access_log_format from the command line: %(h)d ('%(h)d' is not an atom; write %(NAME)s)"));
        all.add(flag("access-log-format-unknown-atom", "--access-logformat '%(zz)s' (Gunicorn logs '-')", "--access-logformat", "%(zz)s %(h)s",
                "--print-config").warns("access_log_format: unknown atom %(zz)s (from the command line) is logged as '-'"));
        // Start-up flags: files and directories
        all.add(flag("java-missing", "--java /nonexistent/java", "--java", "/nonexistent/java")
                .fails("Invalid value for java from the command line: /nonexistent/java (not an executable file)"));
        all.add(flag("java-a-directory", "--java DIR", "--java", "{dir}").fails("Invalid value for java from the command line: {dir} (not an executable file)"));
        all.add(flag("chdir-missing", "--chdir /nonexistent", "--chdir", "/nonexistent").fails("Invalid value for chdir from the command line: /nonexistent (not a directory)"));
        all.add(flag("log-config-missing", "--log-config /nonexistent.xml", "--log-config", "/nonexistent.xml")
                .fails("Invalid value for logconfig from the command line: /nonexistent.xml (no such file)"));
        all.add(flag("worker-tmp-dir-missing", "--worker-tmp-dir /nonexistent", "--worker-tmp-dir", "/nonexistent")
                .fails("Invalid value for worker_tmp_dir from the command line: /nonexistent (no such directory)"));
        all.add(flag("worker-tmp-dir-a-file", "--worker-tmp-dir FILE", "--worker-tmp-dir", "{dir}/file").file("file", "x")
                .fails("Invalid value for worker_tmp_dir from the command line: {dir}/file (not a directory)"));
        all.add(flag("classpath-missing", "--classpath /no/such.jar", "--classpath", "/no/such.jar")
                .fails("Invalid value for classpath from the command line: /no/such.jar (does not exist)"));
        all.add(flag("classpath-text-file", "--classpath notes.txt", "--classpath", "{dir}/notes.txt").file("notes.txt", "notes")
                .fails("Invalid value for classpath from the command line: {dir}/notes.txt (not a jar, nor a directory of classes)"));
        all.add(flag("classpath-fake-jar", "--classpath fake.jar (not a zip)", "--classpath", "{dir}/fake.jar").file("fake.jar", "not a zip")
                .fails("Invalid value for classpath from the command line: {dir}/fake.jar (not a jar, nor a directory of classes)"));
        all.add(flag("classpath-wildcard-of-a-file", "--classpath FILE/*", "--classpath", "{dir}/notes.txt/*").file("notes.txt", "notes")
                .fails("Invalid value for classpath from the command line: {dir}/notes.txt/* (not a directory)"));
        // Start-up: what only a running master finds
        all.add(run("port-in-use", "-b on a port in use", "-b", "127.0.0.1:{busy}")
                .fails("cannot listen at 127.0.0.1:{busy}: address already in use"));
        all.add(run("pidfile-dir-missing", "-p /nonexistent/dir/q.pid", "-b", "127.0.0.1:{port}", "-p", "/nonexistent/dir/q.pid")
                .fails("cannot write pid file '/nonexistent/dir/q.pid': no such directory"));
        all.add(run("pidfile-of-a-live-process", "-p FILE holding a live pid", "-b", "127.0.0.1:{port}", "-p", "{dir}/q.pid")
                .file("q.pid", "{self}\n").fails("Already running on PID {self} (or pid file '{dir}/q.pid' is stale)"));
        // --boot-timeout: a worker JVM may take minutes to start on a busy machine; the input here is the APP
        all.add(run("app-class-missing", "APP com.example.Nope", "-b", "127.0.0.1:{port}", "--boot-timeout", "600").app("com.example.Nope")
                .fails(4, "App failed to load: application class com.example.Nope was not found on the worker classpath; check "
                        + "the name, and --classpath").errorLines(2));   // then the master's reason
        all.add(run("daemon-port-in-use", "-D, port in use", "-D", "-b", "127.0.0.1:{busy}")
                .fails("cannot listen at 127.0.0.1:{busy}: address already in use"));
        all.add(run("daemon-pidfile-dir-missing", "-D -p /nonexistent/dir/q.pid", "-D", "-b", "127.0.0.1:{port}", "-p",
                "/nonexistent/dir/q.pid").fails("cannot write pid file '/nonexistent/dir/q.pid': no such directory"));
        all.add(run("daemon-app-class-missing", "-D, APP com.example.Nope", "-D", "-b", "127.0.0.1:{port}", "--boot-timeout", "600")
                .app("com.example.Nope")
                .fails(4, "App failed to load. (exit code 4)"));

        // Config file and environment
        all.add(config("config-missing", "-c missing.properties", CLI, "-c", "missing.properties")
                .fails("Invalid value for config from the command line: missing.properties (no such file)"));
        all.add(config("config-a-directory", "-c DIR", CLI, "-c", "{dir}").fails("Invalid value for config from the command line: {dir} (a directory, not a file)"));
        all.add(config("config-workers-not-a-number", "workers = abc", "config file", "-c", "q.properties").file("q.properties", "workers = abc\n")
                .fails("Invalid value for workers from {dir}/q.properties: abc (not a whole number)"));
        all.add(config("config-workers-too-many", "workers = 1000", "config file", "-c", "q.properties").file("q.properties", "workers = 1000\n")
                .fails("Invalid value for workers from {dir}/q.properties: 1000 (at most 512)"));
        all.add(config("config-timeout-negative", "timeout = -5", "config file", "-c", "q.properties").file("q.properties", "timeout = -5\n")
                .fails("Invalid value for timeout from {dir}/q.properties: -5 (at least 0)"));
        all.add(config("config-default-file", "./qilin.properties: workers = x", "./qilin.properties").file("qilin.properties", "workers = x\n")
                .fails("Invalid value for workers from {dir}/qilin.properties: x (not a whole number)"));
        all.add(config("config-unknown-key", "wrokers = 2", "config file", "-c", "q.properties").file("q.properties", "wrokers = 2\n")
                .fails("unknown setting 'wrokers' in {dir}/q.properties"));
        all.add(config("config-sets-config", "config = other.properties", "config file", "-c", "q.properties")
                .file("q.properties", "config = other.properties\n").fails("'config' cannot be set in a config file ({dir}/q.properties)"));
        all.add(config("config-bind-empty", "bind =", "config file", "-c", "q.properties").file("q.properties", "bind =\n")
                .fails("Invalid value for bind from {dir}/q.properties: '' (empty; give HOST:PORT, unix:PATH or fd://N (0.0.0.0:PORT for every interface))"));
        all.add(config("config-daemon-maybe", "daemon = maybe", "config file", "-c", "q.properties").file("q.properties", "daemon = maybe\n")
                .fails("Invalid value for daemon from {dir}/q.properties: maybe (true or false)"));
        all.add(config("config-statsd-bad-port", "statsd_host = localhost:abc", "config file", "-c", "q.properties")
                .file("q.properties", "statsd_host = localhost:abc\n")
                .fails("Invalid value for statsd_host from {dir}/q.properties: localhost:abc (HOST:PORT, such as 127.0.0.1:8125)"));
        all.add(config("config-bad-escape", "a \\u escape that is not one", "config file", "-c", "q.properties")
                .file("q.properties", "proc_name = \\uZZZZ\n").fails("cannot read config file {dir}/q.properties: Malformed \\uxxxx encoding."));
        all.add(config("config-not-utf8", "Latin-1 bytes", "config file", "-c", "q.properties").file("q.properties", "proc_name = caf\u00e9\n", true)
                .fails("cannot read config file {dir}/q.properties: not UTF-8 text"));
        all.add(config("config-swapped-tls", "certfile and keyfile swapped", "config file", "-c", "q.properties")
                .file("q.properties", "certfile = {tls}/key.pem\nkeyfile = {tls}/cert.pem\n")
                .fails("Invalid value for certfile from {dir}/q.properties: {tls}/key.pem (a private key, not a certificate; are certfile and keyfile swapped?)"));
        all.add(config("cmd-args-not-a-number", "--workers abc", "QILIN_CMD_ARGS").env("QILIN_CMD_ARGS", "--workers abc")
                .fails("Invalid value for workers from QILIN_CMD_ARGS: abc (not a whole number)"));
        all.add(config("cmd-args-unknown-flag", "--nope", "QILIN_CMD_ARGS").env("QILIN_CMD_ARGS", "--nope")
                .fails(2, "Unknown option: '--nope' (in QILIN_CMD_ARGS) (see qilin --help)"));
        all.add(config("cmd-args-unclosed-quote", "'unclosed", "QILIN_CMD_ARGS").env("QILIN_CMD_ARGS", "-n 'unclosed")
                .fails("Invalid value for QILIN_CMD_ARGS: unclosed quote"));
        all.add(config("cmd-args-config-missing", "-c /nonexistent.properties", "QILIN_CMD_ARGS").env("QILIN_CMD_ARGS", "-c /nonexistent.properties")
                .fails("Invalid value for config from QILIN_CMD_ARGS: /nonexistent.properties (no such file)"));
        all.add(config("cmd-args-bind-empty", "-b ''", "QILIN_CMD_ARGS").env("QILIN_CMD_ARGS", "-b ''")
                .fails("Invalid value for bind from QILIN_CMD_ARGS: '' (empty; give HOST:PORT, unix:PATH or fd://N (0.0.0.0:PORT for every interface))"));
        all.add(config("web-concurrency-not-a-number", "WEB_CONCURRENCY=abc", "environment").env("WEB_CONCURRENCY", "abc")
                .fails("Invalid value for workers from $WEB_CONCURRENCY: abc (not a whole number)"));
        all.add(config("web-concurrency-zero", "WEB_CONCURRENCY=0", "environment").env("WEB_CONCURRENCY", "0")
                .fails("Invalid value for workers from $WEB_CONCURRENCY: 0 (at least 1)"));
        all.add(config("web-concurrency-too-many", "WEB_CONCURRENCY=10000", "environment").env("WEB_CONCURRENCY", "10000")
                .fails("Invalid value for workers from $WEB_CONCURRENCY: 10000 (at most 512)"));
        all.add(config("port-not-a-number", "PORT=http", "environment").env("PORT", "http")
                .fails("Invalid value for bind from $PORT: http (a port number, 1 to 65535)"));
        all.add(config("port-zero", "PORT=0", "environment").env("PORT", "0").fails("Invalid value for bind from $PORT: 0 (a port number, 1 to 65535)"));
        all.add(config("port-too-big", "PORT=70000", "environment").env("PORT", "70000")
                .fails("Invalid value for bind from $PORT: 70000 (a port number, 1 to 65535)"));

        // TLS material
        all.add(tlsCase("cert-without-key", "--certfile alone", "--certfile", "{tls}/cert.pem")
                .fails("Invalid value for certfile from the command line: {tls}/cert.pem (certfile and keyfile go together)"));
        all.add(tlsCase("key-without-cert", "--keyfile alone", "--keyfile", "{tls}/key.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/key.pem (certfile and keyfile go together)"));
        all.add(tls("cert-missing", "certificate file missing", "{tls}/none.pem", "{tls}/key.pem")
                .fails("Invalid value for certfile from the command line: {tls}/none.pem (no such file)"));
        all.add(tls("cert-a-directory", "certificate is a directory", "{tls}", "{tls}/key.pem")
                .fails("Invalid value for certfile from the command line: {tls} (not a readable file)"));
        all.add(tls("cert-plain-text", "certificate is plain text", "{tls}/text.pem", "{tls}/key.pem")
                .fails("Invalid value for certfile from the command line: {tls}/text.pem (no PEM certificate in it (-----BEGIN CERTIFICATE-----))"));
        all.add(tls("cert-garbage", "certificate PEM with garbage inside", "{tls}/garbage.pem", "{tls}/key.pem")
                .fails("Invalid value for certfile from the command line: {tls}/garbage.pem (the certificate cannot be parsed: …)"));
        all.add(tls("key-plain-text", "key is plain text", "{tls}/cert.pem", "{tls}/text.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/text.pem (no PEM private key in it (-----BEGIN PRIVATE KEY-----))"));
        all.add(tls("key-garbage", "key PEM with garbage inside", "{tls}/cert.pem", "{tls}/garbage-key.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/garbage-key.pem (the key cannot be parsed: …)"));
        all.add(tls("cert-and-key-swapped", "--certfile KEY --keyfile CERT", "{tls}/key.pem", "{tls}/cert.pem")
                .fails("Invalid value for certfile from the command line: {tls}/key.pem (a private key, not a certificate; are certfile and keyfile swapped?)"));
        all.add(tls("key-is-the-cert", "--keyfile CERT", "{tls}/cert.pem", "{tls}/cert.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/cert.pem (a certificate, not a private key; are certfile and keyfile swapped?)"));
        all.add(tls("key-of-another-cert", "a key that does not match the certificate", "{tls}/cert.pem", "{tls}/other-key.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/other-key.pem (the key does not belong to the certificate in {tls}/cert.pem (CN=localhost))"));
        all.add(tls("key-encrypted", "an encrypted key", "{tls}/cert.pem", "{tls}/encrypted-key.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/encrypted-key.pem (an encrypted key; Qilin needs it unencrypted; "
                        + "convert it with: openssl pkcs8 -topk8 -nocrypt -in {tls}/encrypted-key.pem -out {tls}/encrypted-key.pem.pk8)"));
        all.add(tls("key-sec1-ec", "an EC key in SEC1 form (BEGIN EC PRIVATE KEY)", "{tls}/cert.pem", "{tls}/sec1-key.pem")
                .fails("Invalid value for keyfile from the command line: {tls}/sec1-key.pem (a key in a form Java cannot read; "
                        + "convert it with: openssl pkcs8 -topk8 -nocrypt -in {tls}/sec1-key.pem -out {tls}/sec1-key.pem.pk8)"));
        all.add(tls("cert-expired", "an expired certificate", "{tls}/expired-cert.pem", "{tls}/expired-key.pem")
                .fails("Invalid value for certfile from the command line: {tls}/expired-cert.pem (the certificate (CN=localhost) expired on 2020-02-01 00:00 UTC)"));
        all.add(tls("cert-expiring", "a certificate expiring in 10 days", "{tls}/expiring-cert.pem", "{tls}/expiring-key.pem", "--print-config")
                .warns("certfile: the certificate (CN=localhost) expires on … UTC, in 9 days (from the command line)"));
        all.add(tls("key-pkcs1", "a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY) is read", "{tls}/cert.pem", "{tls}/pkcs1-key.pem", "--print-config")
                .accepted());
        all.add(tls("check-config-mismatch", "--check-config with a key of another certificate", "{tls}/cert.pem", "{tls}/other-key.pem",
                "--check-config").fails("Invalid value for keyfile from the command line: {tls}/other-key.pem (the key does not belong to the "
                        + "certificate in {tls}/cert.pem (CN=localhost))"));
        all.add(tls("check-config-garbage", "--check-config with a plain-text certificate", "{tls}/text.pem", "{tls}/key.pem",
                "--check-config").fails("Invalid value for certfile from the command line: {tls}/text.pem (no PEM certificate in it (-----BEGIN CERTIFICATE-----))"));
        all.add(tls("ca-certs-missing", "--ca-certs naming no file", "{tls}/cert.pem", "{tls}/key.pem", "--ca-certs", "{tls}/none.pem")
                .fails("Invalid value for ca_certs from the command line: {tls}/none.pem (no such file)"));
        all.add(tls("ca-certs-no-certificate", "--ca-certs with no certificate in it", "{tls}/cert.pem", "{tls}/key.pem", "--ca-certs", "{tls}/text.pem")
                .fails("Invalid value for ca_certs from the command line: {tls}/text.pem (no PEM certificate in it (-----BEGIN CERTIFICATE-----))"));
        all.add(tls("ca-certs-a-key", "--ca-certs naming a private key", "{tls}/cert.pem", "{tls}/key.pem", "--ca-certs", "{tls}/key.pem")
                .fails("Invalid value for ca_certs from the command line: {tls}/key.pem (a private key, not a certificate)"));
        all.add(tls("check-config-ca-certs", "--check-config with --ca-certs naming no file", "{tls}/cert.pem", "{tls}/key.pem", "--ca-certs", "{tls}/none.pem", "--check-config")
                .fails("Invalid value for ca_certs from the command line: {tls}/none.pem (no such file)"));
        all.add(tls("cert-reqs-unknown", "--cert-reqs maybe", "{tls}/cert.pem", "{tls}/key.pem", "--cert-reqs", "maybe")
                .fails("Invalid value for cert_reqs from the command line: maybe (one of none, optional, required)"));
        all.add(tls("ciphers-openssl-name", "--ciphers with an OpenSSL name", "{tls}/cert.pem", "{tls}/key.pem", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256")
                .fails("Invalid value for ciphers from the command line: ECDHE-RSA-AES128-GCM-SHA256 (unknown cipher suite ECDHE-RSA-AES128-GCM-SHA256; give JSSE names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, not OpenSSL's)"));
        all.add(tls("ciphers-none-for-tls13", "--tls-min-version 1.3 with only TLS 1.2 cipher suites", "{tls}/cert.pem", "{tls}/key.pem", "--tls-min-version", "1.3", "--ciphers", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                .fails("Invalid value for ciphers from the command line: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (no TLS 1.3 cipher suite (TLS_AES_..., TLS_CHACHA20_...) while --tls-min-version is 1.3)"));
        all.add(tls("tls-min-version-unknown", "--tls-min-version 1.1", "{tls}/cert.pem", "{tls}/key.pem", "--tls-min-version", "1.1")
                .fails("Invalid value for tls_min_version from the command line: 1.1 (one of 1.2, 1.3)"));
        all.add(tlsCase("ca-certs-without-certfile", "--ca-certs without --certfile", "--ca-certs", "{tls}/cert.pem")
                .fails("Invalid value for ca_certs from the command line: {tls}/cert.pem (needs --certfile and --keyfile)"));
        all.add(tls("daemon-swapped", "-D with certfile and keyfile swapped", "{tls}/key.pem", "{tls}/cert.pem", "-D")
                .fails("Invalid value for certfile from the command line: {tls}/key.pem (a private key, not a certificate; are certfile and keyfile swapped?)"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Execution(ExecutionMode.CONCURRENT)   // junit-platform.properties: 4 at a time; other classes stay sequential
    void badInput(Case c) throws Exception {
        Path dir = Files.createTempDirectory(ROOT, c.id + "-");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("{dir}", dir.toString());
        vars.put("{tls}", tls.toString());
        vars.put("{busy}", Integer.toString(busy.getLocalPort()));
        vars.put("{port}", Integer.toString(Qilin.freePort()));
        vars.put("{self}", Long.toString(ProcessHandle.current().pid()));
        for (Map.Entry<String, String> f : c.files.entrySet()) {
            String text = fill(f.getValue(), vars);
            Files.write(dir.resolve(f.getKey()), text.getBytes(c.latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
        }
        Set<String> before = listing(dir);

        List<String> cmd = new ArrayList<>(List.of(Qilin.HOME.resolve("bin/qilin").toString()));
        c.args.forEach(a -> cmd.add(fill(a, vars)));
        if (c.app != null) {
            cmd.add(c.app);
        }
        String mark = UUID.randomUUID().toString();
        Path out = ROOT.resolve(dir.getFileName() + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        Stream.of("PORT", "WEB_CONCURRENCY", "QILIN_CMD_ARGS", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID")
                .forEach(pb.environment()::remove);
        pb.environment().put(MARK, mark);
        c.env.forEach((k, v) -> pb.environment().put(k, fill(v, vars)));
        Process p = pb.start();
        Set<Long> family = ConcurrentHashMap.newKeySet();
        family.add(p.pid());
        long deadline = System.nanoTime() + RUN.toNanos();
        while (!p.waitFor(100, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
            p.descendants().forEach(h -> family.add(h.pid()));
        }
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.isAlive()).as("still running after %s:\n%s", RUN, output).isFalse();

        assertThat(p.exitValue()).as(output).isEqualTo(c.exit);
        assertThat(output).as("a stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        List<String> errors = lines(output, "qilin: error: ", "] [ERROR] ", "] [CRITICAL] ");
        List<String> warnings = lines(output, "qilin: warning: ");
        if (c.expected == null) {
            assertThat(errors).as(output).isEmpty();
        } else if (c.warning) {
            assertThat(errors).as(output).isEmpty();
            assertThat(warnings).as(output).hasSize(1);
            assertThat(warnings.get(0)).matches(pattern(fill(c.expected, vars)));
        } else {
            assertThat(errors).as(output).hasSize(c.errorLines);
            assertThat(errors.get(0)).matches(pattern(fill(c.expected, vars)));
        }

        // nothing left behind: no process of this run, no file of its masters
        await().atMost(Duration.ofSeconds(30)).until(() -> processesMarked(mark).isEmpty());
        for (long pid : family) {
            for (Path d : placesOfMasterFiles(dir)) {
                try (Stream<Path> files = Files.list(d)) {
                    assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("qilin-" + pid + ".")))
                            .as("left behind in " + d).isEmpty();
                }
            }
        }
        assertThat(listing(dir)).as("files left in the working directory").isEqualTo(before);
    }

    /** Where a master may leave files: the shared directories, its private runtime directory, the case's own. */
    private static List<Path> placesOfMasterFiles(Path dir) {
        List<Path> places = new java.util.ArrayList<>(List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")), dir));
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        for (Path runtime : new Path[] {Path.of("/run/qilin"), xdg == null ? null : Path.of(xdg, "qilin")}) {
            if (runtime != null && Files.isDirectory(runtime)) {
                places.add(runtime);
            }
        }
        return places;
    }

    @Test
    void everyCaseIsInTheDocs() throws IOException {
        String docs = Files.readString(DOCS);
        List<String> missing = cases().map(c -> "`" + c.id + "`").filter(id -> !docs.contains(id)).collect(Collectors.toList());
        assertThat(missing).as("cases missing from docs/bad-input.md").isEmpty();
        assertThat(cases().count()).isGreaterThanOrEqualTo(70);
    }

    /** Prints this corpus's rows of docs/bad-input.md (run with -Dqilin.corpus.print=true). */
    @Test
    void printTheDocsRows() {
        if (!Boolean.getBoolean("qilin.corpus.print")) {
            return;
        }
        String section = null;
        for (Case c : cases().collect(Collectors.toList())) {
            if (!c.section.equals(section)) {
                section = c.section;
                System.out.println("\n## " + section + "\n\n| input | source | expected outcome | test |\n|---|---|---|---|");
            }
            String outcome;
            if (c.expected == null) {
                outcome = "accepted: exit 0, no error line";
            } else if (c.warning) {
                outcome = "exit 0, one line `qilin: warning: " + c.expected + "`";
            } else {
                boolean logged = c.app != null && !c.args.contains("-D");   // a running master's log line
                outcome = "exit " + c.exit + ", " + (logged ? "log line `[ERROR] " : "`qilin: error: ") + c.expected + "`"
                        + (c.errorLines > 1 ? " first, of " + c.errorLines + " error lines" : "");
            }
            System.out.println("| " + c.input.replace("|", "\\|") + " | " + c.source + " | " + outcome.replace("|", "\\|")
                    + " | `" + c.id + "` |");
        }
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The pids of live processes whose environment holds this run's mark: the launcher, masters and workers. */
    private static List<Long> processesMarked(String mark) {
        byte[] needle = (MARK + "=" + mark).getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.allProcesses().filter(h -> {
            try {
                byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
                return indexOf(env, needle) >= 0;
            } catch (IOException | RuntimeException e) {
                return false;   // gone, or not ours to read
            }
        }).map(ProcessHandle::pid).collect(Collectors.toList());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The message of each line that carries one of these markers, after the marker. */
    private static List<String> lines(String output, String... markers) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            for (String m : markers) {
                int at = line.indexOf(m);
                if (at >= 0) {
                    out.add(line.substring(at + m.length()));
                    break;
                }
            }
        }
        return out;
    }

    private static String fill(String text, Map<String, String> vars) {
        String out = text;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        return out;
    }

    /** The expected line, literal except for '…', which stands for any text. */
    private static String pattern(String expected) {
        return Arrays.stream(expected.split("…", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
    }

    private static Case flag(String id, String input, String... args) {
        return new Case(id, STARTUP, input, CLI, withApp(args));
    }

    /** A case only a running master finds: the app is given on its own, so it can be another. */
    private static Case run(String id, String input, String... args) {
        return new Case(id, STARTUP, input, CLI, List.of(args)).app(APP);
    }

    private static Case config(String id, String input, String source, String... args) {
        return new Case(id, CONFIG, input, source, withApp(args));
    }

    private static Case tls(String id, String input, String cert, String key, String... more) {
        List<String> args = new ArrayList<>(List.of("--certfile", cert, "--keyfile", key));
        args.addAll(List.of(more));
        return new Case(id, TLS, input, CLI, withApp(args.toArray(new String[0])));
    }

    private static Case tlsCase(String id, String input, String... args) {
        return new Case(id, TLS, input, CLI, withApp(args));
    }

    private static List<String> withApp(String... args) {
        List<String> out = new ArrayList<>(List.of(args));
        out.add(APP);
        return out;
    }

    /** One bad input and what it must get. */
    static final class Case {
        final String id;
        final String section;
        final String input;
        final String source;
        final List<String> args;
        final Map<String, String> env = new LinkedHashMap<>();
        final Map<String, String> files = new LinkedHashMap<>();
        boolean latin1;
        String app;
        int exit = 1;
        String expected;
        boolean warning;
        int errorLines = 1;

        Case(String id, String section, String input, String source, List<String> args) {
            this.id = id;
            this.section = section;
            this.input = input;
            this.source = source;
            this.args = new ArrayList<>(args);
        }

        Case app(String name) {
            this.app = name;
            return this;
        }

        Case env(String key, String value) {
            env.put(key, value);
            return this;
        }

        Case file(String name, String text) {
            files.put(name, text);
            return this;
        }

        Case file(String name, String text, boolean inLatin1) {
            latin1 = inLatin1;
            return file(name, text);
        }

        Case fails(String line) {
            return fails(1, line);
        }

        Case fails(int code, String line) {
            exit = code;
            expected = line;
            return this;
        }

        Case errorLines(int n) {
            errorLines = n;
            return this;
        }

        Case warns(String line) {
            exit = 0;
            expected = line;
            warning = true;
            return this;
        }

        Case accepted() {
            exit = 0;
            expected = null;
            return this;
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
