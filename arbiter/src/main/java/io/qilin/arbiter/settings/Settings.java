package io.qilin.arbiter.settings;

import io.qilin.arbiter.listen.BindAddress;
import io.qilin.worker.Forwarded;
import io.qilin.worker.protocol.AllowList;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the master, declared once, with Gunicorn's names and defaults where Gunicorn has
 * them; and one resolved set of values. {@link SettingsLoader} fills the values from the defaults,
 * the config file, {@code QILIN_CMD_ARGS} and the command line, in that order of precedence.
 */
public final class Settings {
    static final String CONFIG_FILE = "Config File";
    static final String SOCKET = "Server Socket";
    static final String WORKERS = "Worker Processes";
    static final String SECURITY = "Security";
    static final String DEBUGGING = "Debugging";
    static final String MECHANICS = "Server Mechanics";
    static final String JAVA = "Java";
    static final String LOGGING = "Logging";
    static final String HOOKS_SECTION = "Server Hooks";
    static final String HTTP2 = "HTTP/2";
    /** Half the scoreboard's 1,024 slots: a reload runs the old and the new generation side by side. */
    public static final int MAX_WORKERS = 512;
    private static final int ONE_DAY = 86_400;

    public static final Setting<String> CONFIG = Setting.string("config", CONFIG_FILE, "FILE", null,
            "A properties file of settings (keys are the setting names, such as workers = 4). "
                    + "Default: ./qilin.properties when it exists.", "-c", "--config");
    public static final Setting<List<String>> BIND = Setting.list("bind", SOCKET, "ADDRESS", List.of("127.0.0.1:8000"),
            "Where to listen: HOST:PORT, [v6]:PORT, unix:PATH or fd://N; repeatable. If $PORT is set, the "
                    + "default is 0.0.0.0:$PORT.", "-b", "--bind")
            .withDefault(() -> List.of("127.0.0.1:8000"), "127.0.0.1:8000, or 0.0.0.0:$PORT");
    public static final Setting<Integer> BACKLOG = Setting.integer("backlog", SOCKET, "INT", 2048, 1,
            "Pending connections each listener queues (the kernel caps it at net.core.somaxconn).", "--backlog")
            .atMost(65535);
    public static final Setting<Boolean> REUSE_PORT = Setting.toggle("reuse_port", SOCKET,
            "Each worker binds sockets of its own with SO_REUSEPORT instead of sharing the master's. Drawback: "
                    + "connections queued on a worker's socket are reset when it exits (reload, recycling, crash), "
                    + "and none wait while no worker runs; the shared socket (the default) loses none. TCP only.",
            "--reuse-port");
    public static final Setting<Integer> WORKERS_COUNT = Setting.integer("workers", WORKERS, "INT", 1, 1,
            "Worker processes (a reload runs the old and the new ones side by side in the scoreboard's 1,024 "
                    + "slots).", "-w", "--workers")
            .atMost(MAX_WORKERS).withDefault(() -> 1, "$WEB_CONCURRENCY, or 1");
    public static final Setting<String> WORKER_CLASS = Setting.string("worker_class", WORKERS, "NAME", "sync",
            "The worker kind: sync, gthread, vertx, or a WorkerKind class name.", "-k", "--worker-class");
    public static final Setting<Integer> THREADS = Setting.integer("threads", WORKERS, "INT", 1, 0,
            "Task threads per worker (gthread) or event loops per worker (vertx).", "--threads").atMost(4096);
    public static final Setting<Integer> WORKER_CONNECTIONS = Setting.integer("worker_connections", WORKERS, "INT",
            1000, 1, "Most simultaneous clients per worker.", "--worker-connections").atMost(1_000_000);
    public static final Setting<Integer> MAX_REQUESTS = Setting.integer("max_requests", WORKERS, "INT", 0, 0,
            "Requests a worker serves before it is replaced; 0 disables.", "--max-requests").atMost(1_000_000_000);
    public static final Setting<Integer> MAX_REQUESTS_JITTER = Setting.integer("max_requests_jitter", WORKERS, "INT",
            0, 0, "A random 0..N added to max_requests per worker, so workers do not all restart at once.",
            "--max-requests-jitter").atMost(1_000_000_000);
    public static final Setting<Integer> MAX_RECYCLING = Setting.integer("max_recycling", WORKERS, "INT", 1, 1,
            "Most workers being recycled (max_requests, max_worker_memory) at once. Each replacement is started "
                    + "first and the old worker stopped once it is ready, so the worker count never drops.",
            "--max-recycling").atMost(512);
    public static final Setting<Long> MAX_WORKER_MEMORY = Setting.size("max_worker_memory", WORKERS, 0, "0",
            "A worker whose resident memory (RSS, /proc/PID/status VmRSS) stays above SIZE (512m, 2g) for 3 checks "
                    + "a second apart is recycled; 0 disables.", "--max-worker-memory");
    public static final Setting<Integer> RELOAD_BATCH = Setting.integer("reload_batch", WORKERS, "INT", 0, 0,
            "New workers a reload starts at a time: each old worker stops when a new one is ready, and the next "
                    + "batch starts once this one is all ready. 0: a quarter of the workers, at least 1.",
            "--reload-batch").atMost(512);
    public static final Setting<Integer> TIMEOUT = Setting.integer("timeout", WORKERS, "SECONDS", 30, 0,
            "A worker whose heartbeat is silent this long is aborted (thread dump), then killed; 0 disables.",
            "-t", "--timeout").atMost(ONE_DAY);
    public static final Setting<Integer> GRACEFUL_TIMEOUT = Setting.integer("graceful_timeout", WORKERS, "SECONDS", 30, 0,
            "Time workers get to finish their requests after TERM before they are killed.", "--graceful-timeout")
            .atMost(ONE_DAY);
    public static final Setting<Integer> SHUTDOWN_DELAY = Setting.integer("shutdown_delay", WORKERS, "SECONDS", 0, 0,
            "After TERM, keep serving this long while /readyz reports not ready, so a load balancer stops sending, "
                    + "then stop gracefully; a second TERM ends the delay, an INT stops at once.", "--shutdown-delay")
            .atMost(3600);
    public static final Setting<Integer> KEEPALIVE = Setting.integer("keepalive", WORKERS, "SECONDS", 2, 0,
            "Idle keep-alive connections are closed after this; 0 disables keep-alive.", "--keep-alive")
            .atMost(3600);
    public static final Setting<Integer> BOOT_TIMEOUT = Setting.integer("boot_timeout", WORKERS, "SECONDS", 30, 1,
            "Time a new worker has to load the application and report ready; a reload whose workers miss it "
                    + "is rolled back.", "--boot-timeout").atMost(ONE_DAY);
    public static final Setting<Integer> REQUEST_TIMEOUT = Setting.integer("request_timeout", WORKERS, "SECONDS", 0, 0,
            "gthread and vertx: a request running longer gets its thread's stack logged and a 503 (or its connection "
                    + "closed if the response has started), and the worker is replaced gracefully; 0 disables. "
                    + "sync is bound by --timeout instead.", "--request-timeout")
            .atMost(ONE_DAY).withDefault(() -> null, "the --timeout value");
    public static final Setting<Integer> WARMUP_REQUESTS = Setting.integer("warmup_requests", WORKERS, "INT", 200, 0,
            "Requests a new worker sends to each --warmup-path through its own HTTP stack, on a private loopback "
                    + "listener, before it reports ready (within --boot-timeout); 0 disables.", "--warmup-requests")
            .atMost(100_000);
    public static final Setting<List<String>> WARMUP_PATH = Setting.list("warmup_path", WORKERS, "PATH", List.of("/"),
            "The path (and query) of the warm-up requests, GET with the header X-Qilin-Warmup: 1; repeatable.",
            "--warmup-path");
    public static final Setting<String> WARMUP_HOOK = Setting.string("warmup_hook", WORKERS, "SPEC", null,
            "An io.qilin.worker.Warmup run after the warm-up requests, found as the application is (Class or "
                    + "Class::member, on --classpath); by default the application itself when it implements Warmup.",
            "--warmup-hook");
    public static final Setting<Integer> LIMIT_REQUEST_LINE = Setting.integer("limit_request_line", SECURITY, "BYTES",
            4094, 0, "Longest request line (400 beyond); 0 means the maximum, 8190. Gunicorn clamps a larger value to "
                    + "8190; Qilin refuses it.", "--limit-request-line").atMost(8190);
    public static final Setting<Integer> LIMIT_REQUEST_FIELDS = Setting.integer("limit_request_fields", SECURITY, "INT",
            100, 0, "Most header fields in a request (431 beyond). Gunicorn clamps a larger value to 32768; Qilin "
                    + "refuses it.", "--limit-request-fields").atMost(32768);
    public static final Setting<Integer> LIMIT_REQUEST_FIELD_SIZE = Setting.integer("limit_request_field_size", SECURITY,
            "BYTES", 8190, 0, "Longest header field (431 beyond).", "--limit-request-field_size",
            "--limit-request-field-size").atMost(65536);
    public static final Setting<Integer> LIMIT_REQUEST_BODY = Setting.integer("limit_request_body", SECURITY, "BYTES",
            10 * 1024 * 1024, 0, "Largest request body, in bytes (413 beyond, checked against Content-Length and while "
                    + "a chunked body streams in); 0 means unlimited, except on sync, which buffers each request in memory "
                    + "before serving it and caps it at a quarter of the worker's heap (at most 1 GiB).", "--limit-request-body")
            .atMost(1 << 30);
    public static final Setting<Integer> HEADER_TIMEOUT = Setting.integer("header_timeout", SECURITY, "SECONDS", 10, 1,
            "A client has this long to send a request's line and headers, counted from the connection (sync, vertx) "
                    + "or from its first byte (gthread); then sync answers 408 (or just closes if nothing was sent), "
                    + "gthread and vertx close the connection. Keep it shorter than --timeout.", "--header-timeout").atMost(3600);
    public static final Setting<Integer> BODY_TIMEOUT = Setting.integer("body_timeout", SECURITY, "SECONDS", 10, 1,
            "The longest pause while a request body arrives; then sync answers 408, gthread and vertx (portable "
                    + "applications) close the connection.",
            "--body-timeout").atMost(3600);
    public static final Setting<Integer> WRITE_TIMEOUT = Setting.integer("write_timeout", SECURITY, "SECONDS", 10, 1,
            "The longest a response write may make no progress (a client that does not read); then the connection "
                    + "is closed. On sync at most half of --timeout, so a stuck client never gets the worker aborted.",
            "--write-timeout").atMost(3600);
    public static final Setting<String> HTTP_PROTOCOLS = Setting.string("http_protocols", HTTP2, "LIST", "h1",
            "The HTTP versions served, comma separated: h1, h2. With h2, gthread and vertx serve HTTP/2 over TLS "
                    + "(chosen by ALPN, h1 beside it) and, without TLS, h2c by prior knowledge and by Upgrade: h2c, "
                    + "HTTP/1.1 still served. sync serves HTTP/1.1 only: asked for h2, it warns at start and serves "
                    + "HTTP/1.1 (as Gunicorn's sync worker).", "--http-protocols")
            .requiring(Settings::isProtocolList, "h1, h2 or h1,h2 (h3 is not supported)");
    public static final Setting<Integer> HTTP2_MAX_CONCURRENT_STREAMS = Setting.integer("http2_max_concurrent_streams",
            HTTP2, "INT", 100, 1, "HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: streams a client may have open on one "
                    + "connection.", "--http2-max-concurrent-streams").atMost(100_000);
    public static final Setting<Integer> HTTP2_INITIAL_WINDOW_SIZE = Setting.integer("http2_initial_window_size", HTTP2,
            "BYTES", 65535, 1, "HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE: what a client may send on a stream before the "
                    + "worker reads it.", "--http2-initial-window-size").atMost(64 * 1024 * 1024);
    public static final Setting<Integer> HTTP2_MAX_FRAME_SIZE = Setting.integer("http2_max_frame_size", HTTP2, "BYTES",
            16384, 16384, "HTTP/2 SETTINGS_MAX_FRAME_SIZE: the largest frame payload a client may send.",
            "--http2-max-frame-size").atMost(16_777_215);
    public static final Setting<Integer> HTTP2_MAX_HEADER_LIST_SIZE = Setting.integer("http2_max_header_list_size",
            HTTP2, "BYTES", 65536, 0, "HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE: the largest decoded header block of a "
                    + "request; 0: no HTTP/2 limit (gthread then applies its HTTP/1.1 header limit).",
            "--http2-max-header-list-size").atMost(16 * 1024 * 1024);
    public static final Setting<Boolean> CHECK_CONFIG = Setting.toggle("check_config", DEBUGGING,
            "Check the settings and load the application in a throwaway worker, then exit 0 (or 1).", "--check-config");
    public static final Setting<Boolean> PRINT_CONFIG = Setting.toggle("print_config", DEBUGGING,
            "Print every setting's value, then exit.", "--print-config");
    public static final Setting<Boolean> RELOAD = Setting.toggle("reload", DEBUGGING,
            "Development: the master checks --classpath (jars, and every file under its folders) and each "
                    + "--reload-extra-file about once a second, and reloads as on HUP (fresh worker JVMs, old ones "
                    + "retired as new ones are ready) once a change has held still for a second.", "--reload");
    public static final Setting<List<String>> RELOAD_EXTRA_FILES = Setting.list("reload_extra_files", DEBUGGING, "PATH",
            List.of(), "A file or folder --reload also watches (a config file, templates); repeatable.",
            "--reload-extra-file");
    public static final Setting<Boolean> DAEMON = Setting.toggle("daemon", MECHANICS,
            "Detach from the terminal (bin/qilin starts the master in a new session, output to the log file). "
                    + "WINCH is honoured only then.", "-D", "--daemon");
    public static final Setting<List<String>> RAW_ENV = Setting.list("raw_env", MECHANICS, "KEY=VALUE", List.of(),
            "Environment variables for the workers; repeatable. Re-read on every reload.", "-e", "--env");
    public static final Setting<String> PIDFILE = Setting.string("pidfile", MECHANICS, "FILE", null,
            "Write the master's pid to this file.", "-p", "--pid");
    public static final Setting<String> WORKER_TMP_DIR = Setting.string("worker_tmp_dir", MECHANICS, "DIR", null,
            "Where the master keeps its scoreboard and its workers' run directories: in DIR/qilin-UID, private to "
                    + "the master's user (default: its runtime directory, see SECURITY.md), with the AOT cache's directory "
                    + "(aot/, mode 0700).",
            "--worker-tmp-dir");
    public static final Setting<String> CONTROL_SOCKET = Setting.string("control_socket", MECHANICS, "PATH", null,
            "The control socket qilin ctl talks to (unix, mode 0600, the master's user only; removed on exit; "
                    + "the master does not start without it). Default: PIDFILE.ctl with --pid, else qilin-PID.ctl in "
                    + "the master's runtime directory: /run/qilin for root, else $XDG_RUNTIME_DIR/qilin, else "
                    + "/dev/shm/qilin-UID. Read at start only.", "--control-socket");
    public static final Setting<String> PROC_NAME = Setting.string("proc_name", MECHANICS, "NAME", null,
            "A name for this server in the log and in the workers' command line (-Dqilin.name=NAME), for ps.",
            "-n", "--name");
    public static final Setting<String> CHDIR = Setting.string("chdir", MECHANICS, "DIR", null,
            "The workers' working directory; relative --classpath entries are resolved against it.", "--chdir");
    public static final Setting<String> USER = Setting.string("user", MECHANICS, "USER", null,
            "Run the workers as this user (name or uid); the master needs root for it.", "-u", "--user");
    public static final Setting<String> GROUP = Setting.string("group", MECHANICS, "GROUP", null,
            "Run the workers with this group (name or gid).", "-g", "--group");
    public static final Setting<Boolean> INITGROUPS = Setting.toggle("initgroups", MECHANICS,
            "Give the workers the user's supplementary groups too (otherwise they have none).", "--initgroups");
    public static final Setting<String> UMASK = Setting.string("umask", MECHANICS, "MODE", null,
            "The umask of the workers (and of files the master creates), octal, e.g. 0027.", "-m", "--umask");
    public static final Setting<String> FORWARDED_ALLOW_IPS = Setting.string("forwarded_allow_ips", MECHANICS, "IPS",
            "127.0.0.1,::1", "Front-end addresses trusted to set X-Forwarded-For and the --secure-scheme-headers: IP "
                    + "addresses or networks (10.0.0.0/8), comma separated, * for all; unix-socket peers always are. "
                    + "From them, the exchange's remote address and scheme are the forwarded ones.",
            "--forwarded-allow-ips")
            .requiring(ips -> AllowList.invalidEntry(ips) == null,
                    "IP addresses, networks (10.0.0.0/8) or *, comma separated");
    public static final Setting<String> SECURE_SCHEME_HEADERS = Setting.string("secure_scheme_headers", MECHANICS,
            "HEADERS", Forwarded.DEFAULT_SECURE_SCHEME_HEADERS, "Headers, with the value that means https, by which a "
                    + "front end in --forwarded-allow-ips says the client used https: the exchange's scheme (attribute "
                    + "qilin.scheme) is then https. NAME=VALUE, comma separated; the first one present decides, its "
                    + "value compared ignoring case. none: no header does.", "--secure-scheme-headers")
            .requiring(Settings::isSchemeHeaderList, "NAME=VALUE pairs, comma separated, or none");
    public static final Setting<Boolean> PROXY_PROTOCOL = Setting.toggle("proxy_protocol", MECHANICS,
            "Every connection must start with a PROXY protocol header (HAProxy's, v1 or v2) naming the client, "
                    + "which the application and the access log then see as the remote address. A connection from "
                    + "a peer not in --proxy-allow-from, without a header or with a malformed one is closed "
                    + "without a response (as HAProxy's accept-proxy).", "--proxy-protocol");
    public static final Setting<String> PROXY_ALLOW_IPS = Setting.string("proxy_allow_ips", MECHANICS, "IPS",
            "127.0.0.1,::1", "With --proxy-protocol, the front ends that may connect: addresses or networks "
                    + "(10.0.0.0/8), comma separated, * for all; unix-socket peers always may.", "--proxy-allow-from")
            .requiring(ips -> AllowList.invalidEntry(ips) == null,
                    "IP addresses, networks (10.0.0.0/8) or *, comma separated");
    public static final Setting<String> SERVLET_CONTEXT_PATH = Setting.string("servlet_context_path", MECHANICS, "PATH",
            null, "gthread: the context path a servlet application is deployed at, e.g. /api (default: its "
                    + "DeploymentInfo's, else /). Requests outside it get 404.", "--servlet-context-path")
            .requiring(p -> p.startsWith("/") && (p.length() == 1 || !p.endsWith("/")),
                    "a path starting with / and not ending with /, e.g. /api");
    public static final Setting<String> CERTFILE = Setting.string("certfile", MECHANICS, "FILE", null,
            "TLS certificate chain (PEM, the server's certificate first); with --keyfile, every listener serves HTTPS. "
                    + "The master reads both files before any worker starts (and --check-config does): each must "
                    + "parse, the key must belong to the certificate, and the certificate must not have expired; one "
                    + "that expires within 30 days gets a warning.", "--certfile");
    public static final Setting<String> KEYFILE = Setting.string("keyfile", MECHANICS, "FILE", null,
            "TLS private key (PEM, unencrypted): PKCS#8 (BEGIN PRIVATE KEY: RSA, EC or Ed25519) or PKCS#1 (BEGIN RSA "
                    + "PRIVATE KEY). Any other form is refused with the openssl command that converts it.", "--keyfile");
    public static final Setting<String> CA_CERTS = Setting.string("ca_certs", MECHANICS, "FILE", null,
            "With --certfile: a PEM bundle of the CAs that client certificates are verified against (default: the "
                    + "JDK's CAs). Checked by the master at start, as --certfile is.", "--ca-certs");
    public static final Setting<String> CERT_REQS = Setting.string("cert_reqs", MECHANICS, "MODE", "none",
            "With --certfile: client certificates. none: not asked for; optional: asked for, verified if sent; "
                    + "required: a client without a valid one fails the handshake. Gunicorn's 0, 1 and 2 work too. "
                    + "The application sees the client's chain as getSSLSession().getPeerCertificates() (the exchange "
                    + "is an HttpsExchange).", "--cert-reqs")
            .requiring(v -> io.qilin.worker.Tls.ClientAuth.parse(v) != null, "one of none, optional, required");
    public static final Setting<String> CIPHERS = Setting.string("ciphers", MECHANICS, "LIST", null,
            "With --certfile: the cipher suites offered, as JSSE names (TLS_AES_128_GCM_SHA256, "
                    + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; not OpenSSL's names), comma or colon separated, "
                    + "preferred first. Default: the JDK's. A name the JVM does not know is refused at start.",
            "--ciphers");
    public static final Setting<String> TLS_MIN_VERSION = Setting.string("tls_min_version", MECHANICS, "VERSION", "1.2",
            "With --certfile: the oldest TLS version accepted, 1.2 or 1.3 (Gunicorn's deprecated ssl_version).",
            "--tls-min-version")
            .oneOf("1.2", "1.3");
    public static final Setting<String> AOT_CACHE = Setting.string("aot_cache", JAVA, "MODE", "off",
            "auto: on JDK 25+, workers boot from an AOT cache (JEP 483/514) kept in the master's private directory "
                    + "(see --worker-tmp-dir) and keyed by the JDK, the worker JVM options and the jars. When none fits, "
                    + "a training run builds one once the first worker is ready; workers started after that (the first "
                    + "HUP's) map it. Earlier JDKs: no effect. off: never.", "--aot-cache")
            .oneOf("off", "auto");
    public static final Setting<List<String>> CLASSPATH = Setting.list("classpath", JAVA, "PATH", List.of(),
            "Application jars and directories (':'-separated, dir/* for every jar in dir); repeatable.",
            "--classpath");
    public static final Setting<String> JAVA_LAUNCHER = Setting.string("java", JAVA, "PATH", null,
            "The java launcher for worker JVMs (default: the master's own).", "--java");
    public static final Setting<String> WORKER_JVM_OPTS = Setting.string("worker_jvm_opts", JAVA, "OPTS", "",
            "JVM options for every worker, space separated, e.g. \"-Xmx256m -XX:+UseSerialGC\". "
                    + "They follow (and so override) Qilin's defaults: -XX:+ExitOnOutOfMemoryError; with 2 workers or "
                    + "more -XX:ActiveProcessorCount=CPUs/workers (at least 1), each JVM's share of the CPUs; and from 4 "
                    + "workers -XX:MaxRAMPercentage=75/workers.", "--worker-jvm-opts");
    public static final Setting<String> ERROR_LOGFILE = Setting.string("errorlog", LOGGING, "FILE", "-",
            "The log of the master and the workers; '-' is stderr. USR1 reopens it.", "--error-logfile", "--log-file");
    public static final Setting<String> ACCESS_LOGFILE = Setting.string("accesslog", LOGGING, "FILE", null,
            "The access log of every worker; '-' is stdout. Off by default. USR1 reopens it.", "--access-logfile");
    public static final Setting<String> ACCESS_LOG_FORMAT = Setting.string("access_log_format", LOGGING, "FORMAT",
            io.qilin.worker.AccessLog.DEFAULT_FORMAT, "The access log's line, in Gunicorn's atoms: %(h)s remote address, "
                    + "%(t)s date, %(r)s request line, %(s)s status, %(b)s length, %(f)s referer, %(a)s user agent, "
                    + "%(D)s microseconds, %(L)s seconds, %({name}i)s a request header, %({name}o)s a response header.",
            "--access-logformat");
    public static final Setting<String> METRICS_BIND = Setting.string("metrics_bind", LOGGING, "HOST:PORT", null,
            "Serve Prometheus metrics at http://HOST:PORT/metrics from the master (workers by state, restarts, "
                    + "reloads, requests, heartbeats, heap). Off by default. Read at start only.", "--metrics-bind");
    public static final Setting<String> HEALTH_BIND = Setting.string("health_bind", LOGGING, "ADDRESS", null,
            "Serve the probes /livez (the master loop turns), /readyz (a worker is ready and the master is not "
                    + "stopping: 503 from the moment TERM arrives) and /startupz (a worker was ready once) at "
                    + "http://ADDRESS, as text or JSON (Accept: application/json or ?format=json). ADDRESS is HOST:PORT, "
                    + "or a PORT on 127.0.0.1. No authentication: they tell only up or down. Off by default; the "
                    + "metrics bind does not serve them. Read at start only.", "--health-bind");
    public static final Setting<Boolean> CAPTURE_OUTPUT = Setting.toggle("capture_output", LOGGING,
            "Send the stdout and stderr of the master and of every worker JVM (System.out, JVM messages) to "
                    + "--error-logfile. Workers keep the file they were started with until they are replaced.",
            "--capture-output");
    public static final Setting<String> LOG_CONFIG = Setting.string("logconfig", LOGGING, "FILE", null,
            "A Logback configuration file for the master and the workers, instead of the built-in Gunicorn-style log (conf/logback-example.xml is that, written out).", "--log-config");
    public static final Setting<String> STATSD_HOST = Setting.string("statsd_host", LOGGING, "HOST:PORT", null,
            "Send Gunicorn's StatsD metrics there (UDP): requests, request.duration, request.status.CODE from the "
                    + "workers, workers (a gauge) from the master.", "--statsd-host");
    public static final Setting<String> STATSD_PREFIX = Setting.string("statsd_prefix", LOGGING, "PREFIX", "",
            "A prefix for every StatsD metric name, e.g. myapp.", "--statsd-prefix");
    public static final Setting<Boolean> SYSLOG = Setting.toggle("syslog", LOGGING,
            "Send the log of the master and the workers to syslog too (--log-syslog-to), each line as Gunicorn's: "
                    + "<PRI>qilin.PREFIX.error: [PID] message; and the access log of the workers, tagged "
                    + "qilin.PREFIX.access, unless --disable-redirect-access-to-syslog. Read at start only by the master.",
            "--log-syslog");
    public static final Setting<String> SYSLOG_ADDR = Setting.string("syslog_addr", LOGGING, "ADDRESS",
            "udp://localhost:514", "Where --log-syslog sends: udp://HOST:PORT, tcp://HOST:PORT (a message a line) or "
                    + "unix://PATH, a stream socket only: JDK 17 cannot write to a datagram socket such as /dev/log.",
            "--log-syslog-to");
    public static final Setting<String> SYSLOG_PREFIX = Setting.string("syslog_prefix", LOGGING, "PREFIX", null,
            "The program name in syslog entries, tagged qilin.PREFIX.error (default: --name, else the application "
                    + "spec with ':' made '.').", "--log-syslog-prefix");
    public static final Setting<String> SYSLOG_FACILITY = Setting.string("syslog_facility", LOGGING, "FACILITY", "user",
            "The syslog facility: " + String.join(", ", io.qilin.logging.SyslogAppender.FACILITY_NAMES) + ".",
            "--log-syslog-facility").oneOf(io.qilin.logging.SyslogAppender.FACILITY_NAMES.toArray(new String[0]));
    public static final Setting<Boolean> DISABLE_REDIRECT_ACCESS_TO_SYSLOG = Setting.toggle(
            "disable_redirect_access_to_syslog", LOGGING, "With --log-syslog, keep the access log out of syslog.",
            "--disable-redirect-access-to-syslog");
    public static final Setting<String> HOOKS = Setting.string("hooks", HOOKS_SECTION, "CLASS", null,
            "A class implementing io.qilin.worker.ServerHooks (on --classpath): Gunicorn's hooks, each run in the "
                    + "master or the workers as Gunicorn runs it. A failing hook is logged, except on_starting, "
                    + "post_fork and post_worker_init, which fail the start.", "--hooks");
    public static final Setting<String> LOGLEVEL = Setting.string("loglevel", LOGGING, "LEVEL", "info",
            "debug, info, warning, error or critical.", "--log-level")
            .oneOf("debug", "info", "warning", "error", "critical");

    private static boolean isProtocolList(String list) {
        for (String protocol : list.split(",", -1)) {
            if (!protocol.trim().equals("h1") && !protocol.trim().equals("h2")) {
                return false;
            }
        }
        return true;
    }

    /** True when --http-protocols asks for HTTP/2. */
    public boolean http2() {
        return java.util.Arrays.stream(get(HTTP_PROTOCOLS).split(",")).anyMatch(p -> p.trim().equals("h2"));
    }

    private static boolean isSchemeHeaderList(String list) {
        if (list.isEmpty() || list.equalsIgnoreCase("none")) {
            return true;
        }
        for (String entry : list.split(",")) {
            if (!entry.trim().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+\\s*=\\s*\\S.*")) {
                return false;
            }
        }
        return true;
    }

    /** Every setting, in the order of the docs. */
    public static final List<Setting<?>> ALL = List.of(CONFIG, BIND, BACKLOG, WORKERS_COUNT, WORKER_CLASS, THREADS,
            WORKER_CONNECTIONS, MAX_REQUESTS, MAX_REQUESTS_JITTER, MAX_RECYCLING, MAX_WORKER_MEMORY, RELOAD_BATCH,
            TIMEOUT, GRACEFUL_TIMEOUT, SHUTDOWN_DELAY, KEEPALIVE, BOOT_TIMEOUT, REQUEST_TIMEOUT, WARMUP_REQUESTS, WARMUP_PATH, WARMUP_HOOK,
            LIMIT_REQUEST_LINE, LIMIT_REQUEST_FIELDS, LIMIT_REQUEST_FIELD_SIZE, LIMIT_REQUEST_BODY, HEADER_TIMEOUT,
            BODY_TIMEOUT, WRITE_TIMEOUT, HTTP_PROTOCOLS, HTTP2_MAX_CONCURRENT_STREAMS, HTTP2_INITIAL_WINDOW_SIZE,
            HTTP2_MAX_FRAME_SIZE, HTTP2_MAX_HEADER_LIST_SIZE, RELOAD, RELOAD_EXTRA_FILES, CHECK_CONFIG, PRINT_CONFIG, DAEMON,
            RAW_ENV, PIDFILE, WORKER_TMP_DIR, CONTROL_SOCKET, PROC_NAME, CHDIR, USER, GROUP, INITGROUPS, UMASK,
            FORWARDED_ALLOW_IPS, SECURE_SCHEME_HEADERS, PROXY_PROTOCOL, PROXY_ALLOW_IPS, SERVLET_CONTEXT_PATH, CERTFILE, KEYFILE, CA_CERTS, CERT_REQS, CIPHERS, TLS_MIN_VERSION, AOT_CACHE, CLASSPATH, JAVA_LAUNCHER, WORKER_JVM_OPTS, ERROR_LOGFILE,
            ACCESS_LOGFILE, ACCESS_LOG_FORMAT, METRICS_BIND, HEALTH_BIND, LOGLEVEL, CAPTURE_OUTPUT, LOG_CONFIG, SYSLOG, SYSLOG_ADDR,
            SYSLOG_PREFIX, SYSLOG_FACILITY, DISABLE_REDIRECT_ACCESS_TO_SYSLOG, HOOKS, REUSE_PORT, STATSD_HOST, STATSD_PREFIX);

    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, Source> sources;
    private final String app;
    private final List<String> warnings;

    Settings(Map<Setting<?>, Object> values, Map<Setting<?>, Source> sources, String app, List<String> warnings) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.app = app;
        this.warnings = List.copyOf(warnings);
    }

    /** Where a setting's value came from, for error messages. */
    public Source source(Setting<?> setting) {
        return sources.getOrDefault(setting, Source.DEFAULT);
    }

    /** Things worth a {@code qilin: warning:} line at start (a certificate about to expire, say). */
    public List<String> warnings() {
        return warnings;
    }

    /** The value of a setting, its default when nothing set it. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return values.containsKey(setting) ? (T) values.get(setting) : setting.defaultValue();
    }

    /** New workers a reload starts at a time: {@code --reload-batch}, or for 0 a quarter of {@code workers}, at least 1. */
    public static int reloadBatch(int setting, int workers) {
        return setting > 0 ? setting : Math.max(1, workers / 4);
    }

    /** How many batches a reload of {@code workers} takes. */
    public static int reloadBatches(int batch, int workers) {
        return Math.max(1, (workers + batch - 1) / batch);
    }

    /** The batch a reload is in once {@code ready} new workers are ready, 1-based. */
    public static int reloadBatchOf(long ready, int batch, int batches) {
        return (int) Math.min(batches, ready / batch + 1);
    }

    /** The application spec, such as {@code com.example.Hello}. */
    public String app() {
        return app;
    }

    public List<BindAddress> bindAddresses() {
        List<BindAddress> out = new ArrayList<>();
        for (String b : get(BIND)) {
            out.add(BindAddress.parse(b));
        }
        return out;
    }

    /** The --classpath entries, split on ':'. */
    public List<String> classpathEntries() {
        List<String> out = new ArrayList<>();
        for (String c : get(CLASSPATH)) {
            for (String e : c.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** The --classpath entries as URLs, {@code dir/*} expanded to its jars: for loading kinds and hooks in the master. */
    public List<java.net.URL> classpathUrls() {
        List<java.net.URL> out = new ArrayList<>();
        for (String entry : classpathEntries()) {
            try {
                if (entry.endsWith("/*")) {
                    try (java.nio.file.DirectoryStream<Path> jars = Files.newDirectoryStream(
                            Path.of(entry.substring(0, entry.length() - 2)), "*.jar")) {
                        for (Path jar : jars) {
                            out.add(jar.toUri().toURL());
                        }
                    }
                } else {
                    out.add(Path.of(entry).toUri().toURL());
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("Invalid value for classpath: " + entry + " (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    public List<String> workerJvmOptions() {
        String opts = get(WORKER_JVM_OPTS);
        return opts.isBlank() ? List.of() : Arrays.asList(opts.trim().split("\\s+"));
    }

    /** What syslog entries are tagged with, as Gunicorn's: --log-syslog-prefix, else --name, else the application. */
    public String syslogPrefix() {
        String prefix = get(SYSLOG_PREFIX) != null ? get(SYSLOG_PREFIX) : get(PROC_NAME) != null ? get(PROC_NAME) : app;
        return prefix == null ? "qilin" : prefix.replace(':', '.');
    }

    public Path pidfile() {
        String p = get(PIDFILE);
        return p == null ? null : Path.of(p);
    }

    /** The raw_env entries as a map; each was checked to have the form KEY=VALUE. */
    public Map<String, String> workerEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : get(RAW_ENV)) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return env;
    }

    /** This set of values with one changed (for a kind name resolved at start, say). */
    public <T> Settings with(Setting<T> setting, T value) {
        Map<Setting<?>, Object> copy = new LinkedHashMap<>(values);
        copy.put(setting, value);
        return new Settings(copy, sources, app, warnings);
    }

    /** {@code name = value} lines, one per setting, for --print-config. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Setting<?> s : ALL) {
            Object v = get(s);
            String text = v == null ? "" : v instanceof List ? String.join(", ", (List<String>) v) : v.toString();
            lines.add(s.name() + " = " + text);
        }
        lines.add("app = " + (app == null ? "" : app));
        return lines;
    }
}
