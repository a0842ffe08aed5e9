package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings the master hands a worker process, carried in {@code QILIN_*} environment variables
 * ({@link WorkerEnv} lists them, each with its one default). The master builds one with
 * {@link #builder()}; the worker reads it back with {@link #fromEnv(Map)}.
 */
public final class WorkerConfig {
    static final String PREFIX = WorkerEnv.PREFIX;

    private final Map<String, String> values;

    private WorkerConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The application spec: {@code com.example.Hello} or {@code com.example.App::handler}. */
    public String app() {
        return get(WorkerEnv.APP);
    }

    /** The worker kind: a name such as {@code sync}, or a {@link WorkerKind} class name. */
    public String workerClass() {
        return get(WorkerEnv.WORKER_CLASS);
    }

    /** Seconds a worker may go without a heartbeat before the master aborts it; 0 disables. */
    public int timeout() {
        return getInt(WorkerEnv.TIMEOUT);
    }

    /** Seconds a worker has to finish its requests after TERM. */
    public int gracefulTimeout() {
        return getInt(WorkerEnv.GRACEFUL_TIMEOUT);
    }

    /** Requests after which this worker exits to be replaced (jitter already applied); 0 = never. */
    public long maxRequests() {
        return getLong(WorkerEnv.MAX_REQUESTS);
    }

    /** Task threads (gthread) or event loops (vertx) per worker; 0 lets the kind choose. */
    public int threads() {
        return getInt(WorkerEnv.THREADS);
    }

    /** The most simultaneous connections a worker keeps. */
    public int workerConnections() {
        return getInt(WorkerEnv.WORKER_CONNECTIONS);
    }

    /** Seconds an idle keep-alive connection is kept; 0 disables keep-alive. */
    public int keepAlive() {
        return getInt(WorkerEnv.KEEP_ALIVE);
    }

    /** The longest request line accepted, in bytes (Gunicorn: 4094, 0 = unlimited up to 8190). */
    public int limitRequestLine() {
        return getInt(WorkerEnv.LIMIT_REQUEST_LINE);
    }

    /** The most header fields a request may carry (Gunicorn: 100). */
    public int limitRequestFields() {
        return getInt(WorkerEnv.LIMIT_REQUEST_FIELDS);
    }

    /** The longest header field, name and value, in bytes (Gunicorn: 8190). */
    public int limitRequestFieldSize() {
        return getInt(WorkerEnv.LIMIT_REQUEST_FIELD_SIZE);
    }

    /** The largest request body, in bytes (413 beyond); 0 = unlimited. */
    public long limitRequestBody() {
        return getLong(WorkerEnv.LIMIT_REQUEST_BODY);
    }

    /** Seconds a client has to send a request's line and headers (408 after). */
    public int headerTimeout() {
        return getInt(WorkerEnv.HEADER_TIMEOUT);
    }

    /** Seconds a request body may pause between two reads. */
    public int bodyTimeout() {
        return getInt(WorkerEnv.BODY_TIMEOUT);
    }

    /** Seconds a response write may make no progress before the connection is closed. */
    public int writeTimeout() {
        return getInt(WorkerEnv.WRITE_TIMEOUT);
    }

    /** The pid of the master that started this worker. */
    public long masterPid() {
        return getLong(WorkerEnv.MASTER_PID);
    }

    /** Which reload generation this worker belongs to (1 for the first). */
    public int generation() {
        return getInt(WorkerEnv.GENERATION);
    }

    /**
     * The scoreboard file shared with the master, or empty when there is none (tests). The master passes
     * it as an inherited descriptor: {@code /proc/self/fd/N}.
     */
    public String scoreboard() {
        return get(WorkerEnv.SCOREBOARD);
    }

    /** This master's run directory for its workers (thread dumps), or empty when there is none (tests). */
    public String runDir() {
        return get(WorkerEnv.RUN_DIR);
    }

    /** This worker's slot in the scoreboard. */
    public int slot() {
        return getInt(WorkerEnv.SLOT);
    }

    /** The fd whose EOF means the master is gone, or -1. */
    public int parentWatchFd() {
        return getInt(WorkerEnv.PARENT_FD);
    }

    /** True for {@code --check-config}: load the application, then exit without serving. */
    public boolean checkOnly() {
        return Boolean.parseBoolean(get(WorkerEnv.CHECK_CONFIG));
    }

    /**
     * True for a training run ({@code --aot-cache auto}): load the application, warm up as a worker does,
     * then exit without serving; the JVM writes its class cache as it exits.
     */
    public boolean trainOnly() {
        return Boolean.parseBoolean(get(WorkerEnv.TRAIN));
    }

    /** The inherited listeners, fds from 3 in order. */
    public List<ListenerSpec> listeners() {
        String spec = get(WorkerEnv.LISTENERS);
        List<ListenerSpec> out = new ArrayList<>();
        if (!spec.isEmpty()) {
            for (String one : spec.split("\\|")) {
                out.add(ListenerSpec.parse(one));
            }
        }
        return out;
    }

    /** A setting of the contract; its default when absent or empty. */
    public String get(WorkerEnv key) {
        return get(key.name(), key.fallback());
    }

    public int getInt(WorkerEnv key) {
        return (int) getLong(key);
    }

    public long getLong(WorkerEnv key) {
        return getLong(key.name(), Long.parseLong(key.fallback()));
    }

    /** Any other setting by its variable name without the prefix, for kinds that add their own. */
    public String get(String name, String fallback) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    public int getInt(String name, int fallback) {
        return (int) getLong(name, fallback);
    }

    public long getLong(String name, long fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + name + " is not a number: " + v, e);
        }
    }

    /** The environment variables carrying this configuration. */
    public Map<String, String> toEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        values.forEach((k, v) -> env.put(PREFIX + k, v));
        return env;
    }

    /** Reads the {@code QILIN_*} variables of an environment. */
    public static WorkerConfig fromEnv(Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                values.put(k.substring(PREFIX.length()), v);
            }
        });
        return new WorkerConfig(values);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of this configuration with some values replaced. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    /** Builds a configuration; the names are those of the accessors, upper case with underscores. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();

        public Builder set(WorkerEnv key, Object value) {
            return set(key.name(), value);
        }

        /** A variable of a kind's own, by its name without the prefix. */
        public Builder set(String name, Object value) {
            if (value == null) {
                values.remove(name);
            } else {
                values.put(name, String.valueOf(value));
            }
            return this;
        }

        public Builder listeners(List<ListenerSpec> listeners) {
            StringBuilder sb = new StringBuilder();
            for (ListenerSpec l : listeners) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(l.format());
            }
            return set(WorkerEnv.LISTENERS, sb.toString());
        }

        public WorkerConfig build() {
            return new WorkerConfig(values);
        }
    }
}
