package io.qilin.arbiter;

import io.qilin.arbiter.listen.BindAddress;
import io.qilin.worker.internal.LogLevels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The master's settings, with Gunicorn's names and defaults. Parsed from the command line by picocli
 * (see {@link Main}); a reload parses the same arguments again into a fresh instance.
 */
public final class Settings {
    @Option(names = {"-b", "--bind"}, paramLabel = "ADDRESS",
            description = "Where to listen: HOST:PORT, [v6]:PORT, unix:PATH or fd://N; repeatable (default: 127.0.0.1:8000).")
    List<String> bind = new ArrayList<>();

    @Option(names = {"-w", "--workers"}, paramLabel = "INT",
            description = "Worker processes (default: $WEB_CONCURRENCY, or 1).")
    Integer workers;

    @Option(names = {"-k", "--worker-class"}, paramLabel = "NAME", defaultValue = "sync",
            description = "The worker kind: sync, gthread, vertx, or a WorkerKind class name (default: ${DEFAULT-VALUE}).")
    String workerClass;

    @Option(names = "--threads", paramLabel = "INT", defaultValue = "1",
            description = "Task threads per worker (gthread) or event loops (vertx) (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--worker-connections", paramLabel = "INT", defaultValue = "1000",
            description = "Most simultaneous clients per worker (default: ${DEFAULT-VALUE}).")
    int workerConnections;

    @Option(names = "--max-requests", paramLabel = "INT", defaultValue = "0",
            description = "Requests a worker serves before it is replaced; 0 disables (default: ${DEFAULT-VALUE}).")
    long maxRequests;

    @Option(names = "--max-requests-jitter", paramLabel = "INT", defaultValue = "0",
            description = "A random 0..N added to --max-requests per worker (default: ${DEFAULT-VALUE}).")
    long maxRequestsJitter;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "A worker silent this long is aborted with a thread dump, then killed; 0 disables (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--graceful-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time workers get to finish their requests on TERM before they are killed (default: ${DEFAULT-VALUE}).")
    int gracefulTimeout;

    @Option(names = "--boot-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time a new worker has to load the app and report ready (default: ${DEFAULT-VALUE}).")
    int bootTimeout;

    @Option(names = "--keep-alive", paramLabel = "SECONDS", defaultValue = "2",
            description = "Idle keep-alive connections are closed after this; 0 disables keep-alive (default: ${DEFAULT-VALUE}).")
    int keepAlive;

    @Option(names = "--limit-request-line", paramLabel = "BYTES", defaultValue = "4094",
            description = "Longest request line; 0 = up to 8190 (default: ${DEFAULT-VALUE}).")
    int limitRequestLine;

    @Option(names = "--limit-request-fields", paramLabel = "INT", defaultValue = "100",
            description = "Most header fields in a request (default: ${DEFAULT-VALUE}).")
    int limitRequestFields;

    @Option(names = {"--limit-request-field_size", "--limit-request-field-size"}, paramLabel = "BYTES", defaultValue = "8190",
            description = "Longest header field (default: ${DEFAULT-VALUE}).")
    int limitRequestFieldSize;

    @Option(names = "--backlog", paramLabel = "INT", defaultValue = "2048",
            description = "Pending connections each listener queues (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--classpath", paramLabel = "PATH",
            description = "Jars and directories of the application, separated by ':'; repeatable.")
    List<String> classpath = new ArrayList<>();

    @Option(names = "--java", paramLabel = "PATH", description = "The java launcher for workers (default: the master's own).")
    String java;

    @Option(names = "--worker-jvm-opts", paramLabel = "OPTS", defaultValue = "",
            description = "JVM options for every worker, space separated, e.g. \"-Xmx256m -XX:+UseSerialGC\".")
    String workerJvmOpts;

    @Option(names = {"-p", "--pid"}, paramLabel = "FILE", description = "Write the master's pid to this file.")
    Path pidfile;

    @Option(names = "--worker-tmp-dir", paramLabel = "DIR",
            description = "Where the scoreboard file lives (default: /dev/shm when present, else the temp dir).")
    Path workerTmpDir;

    @Option(names = {"--error-logfile", "--log-file"}, paramLabel = "FILE", defaultValue = "-",
            description = "The log of the master and the workers; '-' is stderr (default: ${DEFAULT-VALUE}). USR1 reopens it.")
    String errorLogfile;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "debug, info, warning, error or critical (default: ${DEFAULT-VALUE}).")
    String logLevel;

    @Parameters(index = "0", paramLabel = "APP", arity = "0..1",
            description = "The application: com.example.Hello (a public class with a no-argument constructor) or "
                    + "com.example.App::handler (a public static field or factory method).")
    String app;

    /** Checks ranges and fills in defaults that depend on the environment; the message names the setting. */
    void validate() {
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("Missing required parameter: APP (see qilin --help)");
        }
        if (workers == null) {
            String wc = System.getenv("WEB_CONCURRENCY");
            try {
                workers = wc == null || wc.isBlank() ? 1 : Integer.parseInt(wc.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid value for WEB_CONCURRENCY: " + wc);
            }
        }
        positive("workers", workers, 1);
        positive("threads", threads, 0);
        positive("worker-connections", workerConnections, 1);
        positive("max-requests", maxRequests, 0);
        positive("max-requests-jitter", maxRequestsJitter, 0);
        positive("timeout", timeout, 0);
        positive("graceful-timeout", gracefulTimeout, 0);
        positive("boot-timeout", bootTimeout, 1);
        positive("keep-alive", keepAlive, 0);
        positive("backlog", backlog, 1);
        if (!LogLevels.NAMES.contains(logLevel.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Invalid value for log-level: " + logLevel + " (one of " + LogLevels.NAMES + ")");
        }
        for (String b : bindOrDefault()) {
            try {
                BindAddress.parse(b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value for bind: " + e.getMessage());
            }
        }
        if (java != null && !Files.isExecutable(Path.of(java))) {
            throw new IllegalArgumentException("Invalid value for java: " + java + " is not an executable file");
        }
        for (String entry : classpathEntries()) {
            String e = entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry;
            if (!Files.exists(Path.of(e))) {
                throw new IllegalArgumentException("Invalid value for classpath: " + entry + " does not exist");
            }
        }
    }

    private static void positive(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("Invalid value for " + name + ": " + value + " (at least " + min + ")");
        }
    }

    List<String> bindOrDefault() {
        return bind.isEmpty() ? List.of("127.0.0.1:8000") : bind;
    }

    List<BindAddress> bindAddresses() {
        List<BindAddress> out = new ArrayList<>();
        for (String b : bindOrDefault()) {
            out.add(BindAddress.parse(b));
        }
        return out;
    }

    List<String> classpathEntries() {
        List<String> out = new ArrayList<>();
        for (String c : classpath) {
            for (String e : c.split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    List<String> workerJvmOptions() {
        return workerJvmOpts.isBlank() ? List.of() : Arrays.asList(workerJvmOpts.trim().split("\\s+"));
    }

    Path workerTmpDirOrDefault() {
        if (workerTmpDir != null) {
            return workerTmpDir;
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
