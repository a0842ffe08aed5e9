package io.qilin.worker.protocol;

/**
 * Every setting the master hands a worker, each carried in one environment variable
 * ({@code QILIN_} + the constant's name) with the one default a worker assumes when it is absent (a
 * worker started by a test, or a variable an older master did not send). The master sends every one
 * that has a value; {@link io.qilin.worker.WorkerConfig} reads them back, typed.
 */
public enum WorkerEnv {
    /** The application spec: {@code com.example.Hello} or {@code com.example.App::handler}. */
    APP(""),
    /** The worker kind: a name such as {@code sync}, or a {@code WorkerKind} class name. */
    WORKER_CLASS("sync"),
    /** The inherited listeners, {@code |}-separated {@code ListenerSpec}s, fds from 3 in order. */
    LISTENERS(""),
    /** {@code true} for {@code --check-config}: load the application, then exit without serving. */
    CHECK_CONFIG("false"),
    /** {@code true} for the AOT cache's training run: load, warm up through the kind's own stack, exit. */
    TRAIN("false"),

    /** Seconds without a heartbeat before the master aborts the worker; 0 disables. */
    TIMEOUT("30"),
    /** Seconds a worker has to finish its requests after TERM. */
    GRACEFUL_TIMEOUT("30"),
    /** Seconds a worker has from spawn to ready, warm-up included. */
    BOOT_TIMEOUT("30"),
    /** Seconds a request may run before its client gets 503 and the worker is replaced; 0 disables. */
    REQUEST_TIMEOUT("0"),
    /** Requests after which the worker exits to be replaced, jitter already applied; 0 = never. */
    MAX_REQUESTS("0"),

    /** Warm-up requests sent to each warm-up path before the worker reports ready; 0 disables. */
    WARMUP_REQUESTS("0"),
    /** The warm-up paths, separated by spaces. */
    WARMUP_PATHS("/"),
    /** An {@code io.qilin.worker.Warmup} spec run after the warm-up requests; empty for none. */
    WARMUP_HOOK(""),

    /** Task threads (gthread) or event loops (vertx) per worker; 0 lets the kind choose. */
    THREADS("1"),
    /** The most simultaneous connections a worker keeps. */
    WORKER_CONNECTIONS("1000"),
    /** Seconds an idle keep-alive connection is kept; 0 disables keep-alive. */
    KEEP_ALIVE("2"),
    /** The longest request line accepted, in bytes (Gunicorn's 4094; 0 = up to 8190). */
    LIMIT_REQUEST_LINE("4094"),
    /** The most header fields a request may carry (Gunicorn's 100). */
    LIMIT_REQUEST_FIELDS("100"),
    /** The longest header field, name and value, in bytes (Gunicorn's 8190). */
    LIMIT_REQUEST_FIELD_SIZE("8190"),
    /** The largest request body, in bytes (413 beyond); 0 = unlimited. */
    LIMIT_REQUEST_BODY(Long.toString(10L * 1024 * 1024)),
    /** Seconds a client has to send a request's line and headers (408 after). */
    HEADER_TIMEOUT("10"),
    /** Seconds a request body may pause between two reads. */
    BODY_TIMEOUT("10"),
    /** Seconds a response write may make no progress before the connection is closed. */
    WRITE_TIMEOUT("10"),

    /** The HTTP versions served, comma separated: {@code h1}, {@code h2}. */
    HTTP_PROTOCOLS("h1"),
    /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS. */
    HTTP2_MAX_CONCURRENT_STREAMS("100"),
    /** HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE, in bytes. */
    HTTP2_INITIAL_WINDOW_SIZE("65535"),
    /** HTTP/2 SETTINGS_MAX_FRAME_SIZE, in bytes. */
    HTTP2_MAX_FRAME_SIZE("16384"),
    /** HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE, in bytes; 0 for no HTTP/2 limit. */
    HTTP2_MAX_HEADER_LIST_SIZE("65536"),

    /** debug, info, warning, error or critical. */
    LOG_LEVEL("info"),
    /** The error log: a path, or {@code -} for stderr. */
    ERROR_LOGFILE("-"),
    /** The access log: a path, {@code -} for stdout, empty for none. */
    ACCESS_LOGFILE(""),
    /** The access log format, Gunicorn's {@code %(x)s} atoms. */
    ACCESS_LOG_FORMAT("%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\""),
    /** Where log lines also go: {@code udp://HOST:PORT}, {@code tcp://HOST:PORT} or {@code unix://PATH}; empty for no syslog. */
    SYSLOG_ADDR(""),
    /** The syslog facility's name. */
    SYSLOG_FACILITY("user"),
    /** The program name in syslog lines. */
    SYSLOG_PREFIX("qilin"),
    /** {@code true}: access log lines go to syslog too. */
    SYSLOG_ACCESS("false"),
    /** {@code host:port} of a StatsD server; empty for none. */
    STATSD_HOST(""),
    /** The prefix of every StatsD metric name. */
    STATSD_PREFIX(""),

    /** The PEM certificate chain for TLS; empty for plain HTTP. */
    CERTFILE(""),
    /** The PEM private key for TLS. */
    KEYFILE(""),
    /** A PEM bundle of the CAs client certificates are verified against; empty for the JDK's. */
    CA_CERTS(""),
    /** Client certificates: {@code none}, {@code optional} (asked for, verified if sent) or {@code required}. */
    CERT_REQS("none"),
    /** JSSE cipher suite names, comma separated; empty for the JDK's defaults. */
    CIPHERS(""),
    /** The oldest TLS version accepted: {@code 1.2} or {@code 1.3}. */
    TLS_MIN_VERSION("1.2"),
    /** Peers whose X-Forwarded-* headers are trusted: addresses, networks or {@code *}. */
    FORWARDED_ALLOW_IPS("127.0.0.1,::1"),
    /** {@code NAME=VALUE,...}: a header with that value marks a trusted request https; {@code none} for none. */
    SECURE_SCHEME_HEADERS("X-FORWARDED-PROTOCOL=ssl,X-FORWARDED-PROTO=https,X-FORWARDED-SSL=on"),
    /** {@code true}: every connection starts with a PROXY protocol v1 or v2 header. */
    PROXY_PROTOCOL("false"),
    /** Peers allowed to connect when the PROXY protocol is on: addresses, networks or {@code *}. */
    PROXY_ALLOW_IPS("127.0.0.1,::1"),
    /** A {@code ServerHooks} class run in the worker; empty for none. */
    HOOKS(""),
    /** Where gthread deploys a Servlet application; empty for {@code /}. */
    SERVLET_CONTEXT_PATH(""),

    /** The pid of the master that started this worker. */
    MASTER_PID("0"),
    /** The reload generation this worker belongs to, 1 for the first. */
    GENERATION("1"),
    /** The scoreboard, as an inherited descriptor {@code /proc/self/fd/N}; empty when there is none. */
    SCOREBOARD(""),
    /** This worker's slot in the scoreboard. */
    SLOT("0"),
    /** The master's run directory for its workers (thread dumps); empty when there is none. */
    RUN_DIR(""),
    /** The fd whose EOF means the master is gone, or -1. */
    PARENT_FD("-1"),
    /** The fds the worker points its stdout and stderr at, or -1 to keep them. */
    STDOUT_FD("-1"),
    STDERR_FD("-1");

    /** What every variable's name starts with. */
    public static final String PREFIX = "QILIN_";

    private final String fallback;

    WorkerEnv(String fallback) {
        this.fallback = fallback;
    }

    /** The environment variable, e.g. {@code QILIN_KEEP_ALIVE}. */
    public String variable() {
        return PREFIX + name();
    }

    /** The value a worker assumes when the variable is absent or empty. */
    public String fallback() {
        return fallback;
    }
}
