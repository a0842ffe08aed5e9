package io.qilin.worker;

import io.qilin.worker.protocol.StatsD;
import io.qilin.worker.protocol.WorkerEnv;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log, in Gunicorn's format language ({@code --access-logformat}): every worker kind
 * calls {@link #log(Entry)} once per response. Lines go to the {@code qilin.access} logger, which
 * {@code --access-logfile} points at a file (or stdout with {@code -}).
 *
 * <p>Atoms: {@code h} remote address, {@code l} '-', {@code u} user ('-'), {@code t} date,
 * {@code r} request line, {@code m} method, {@code U} path, {@code q} query, {@code H} protocol,
 * {@code s} status, {@code b} body bytes or '-', {@code B} body bytes, {@code f} referer, {@code a}
 * user agent, {@code T} seconds, {@code M} milliseconds, {@code D} microseconds, {@code L} seconds
 * as a decimal, {@code p} pid, {@code {name}i} a request header, {@code {name}o} a response header.
 */
public final class AccessLog {
    /** Gunicorn's default format. */
    public static final String DEFAULT_FORMAT = WorkerEnv.ACCESS_LOG_FORMAT.fallback();
    /** The logger the lines go to. */
    public static final String LOGGER = "qilin.access";

    private static final Pattern ATOM = Pattern.compile("%\\(([^)]+)\\)s");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("'['dd/MMM/yyyy:HH:mm:ss Z']'", Locale.ENGLISH);
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private final Logger logger = LoggerFactory.getLogger(LOGGER);
    private final List<Function<Entry, String>> parts = new ArrayList<>();
    private final boolean enabled;
    /** Set by {@link Worker} while its warm-up runs: warm-up requests are neither logged nor counted. */
    static volatile boolean warmingUp;
    private final io.qilin.worker.protocol.StatsD statsd;

    private AccessLog(String format, boolean enabled, io.qilin.worker.protocol.StatsD statsd) {
        this.enabled = enabled;
        this.statsd = statsd;
        Matcher m = ATOM.matcher(format);
        int last = 0;
        while (m.find()) {
            String literal = format.substring(last, m.start());
            parts.add(e -> literal);
            parts.add(atom(m.group(1)));
            last = m.end();
        }
        String tail = format.substring(last);
        parts.add(e -> tail);
    }

    /** The access log the master configured: off unless {@code --access-logfile} or {@code --log-syslog} was given. */
    public static AccessLog fromConfig(WorkerConfig config) {
        return new AccessLog(config.get(WorkerEnv.ACCESS_LOG_FORMAT), !config.get(WorkerEnv.ACCESS_LOGFILE).isEmpty()
                || Boolean.parseBoolean(config.get(WorkerEnv.SYSLOG_ACCESS)),
                StatsD.connect(config.get(WorkerEnv.STATSD_HOST), config.get(WorkerEnv.STATSD_PREFIX)));
    }

    /** An access log with this format, on (for tests and embedding). */
    public static AccessLog of(String format) {
        return new AccessLog(format, true, null);
    }

    /** True when responses should be reported: an access log file, or StatsD (Gunicorn's request metrics). */
    public boolean enabled() {
        return enabled || statsd != null;
    }

    /** Writes one line, if the log is on, and sends Gunicorn's request metrics, if StatsD is. */
    public void log(Entry e) {
        if (warmingUp) {
            return;
        }
        if (enabled) {
            logger.info(format(e));
        }
        if (statsd != null) {
            statsd.increment("requests");
            statsd.timing("request.duration", e.nanos / 1_000_000L);
            statsd.increment("request.status." + e.status);
        }
    }

    String format(Entry e) {
        StringBuilder sb = new StringBuilder(128);
        for (Function<Entry, String> p : parts) {
            sb.append(p.apply(e));
        }
        return sb.toString();
    }

    /** True for an atom this log fills in ({@code h}, {@code {name}i}, ...); any other is logged as '-'. */
    public static boolean knows(String name) {
        if (name.startsWith("{") && name.length() > 3) {
            return name.endsWith("}i") || name.endsWith("}o");
        }
        return name.length() == 1 && "hlutrmUqHsbBfaTMDLp".contains(name);
    }

    private static Function<Entry, String> atom(String name) {
        if (name.startsWith("{") && name.length() > 3) {
            String header = name.substring(1, name.length() - 2);
            char where = name.charAt(name.length() - 1);
            if (where == 'i') {
                return e -> dash(e.requestHeader.apply(header));
            }
            if (where == 'o') {
                return e -> dash(e.responseHeader.apply(header));
            }
            return e -> "-";
        }
        switch (name) {
            case "h":
                return e -> dash(e.remote);
            case "l":
            case "u":
                return e -> "-";
            case "t":
                return e -> DATE.format(e.start);
            case "r":
                return e -> e.method + " " + e.target + " " + e.protocol;
            case "m":
                return e -> e.method;
            case "U":
                return e -> {
                    int q = e.target.indexOf('?');
                    return q < 0 ? e.target : e.target.substring(0, q);
                };
            case "q":
                return e -> {
                    int q = e.target.indexOf('?');
                    return q < 0 ? "" : e.target.substring(q + 1);
                };
            case "H":
                return e -> e.protocol;
            case "s":
                return e -> Integer.toString(e.status);
            case "b":
                return e -> e.bytes <= 0 ? "-" : Long.toString(e.bytes);
            case "B":
                return e -> Long.toString(Math.max(0, e.bytes));
            case "f":
                return e -> dash(e.requestHeader.apply("Referer"));
            case "a":
                return e -> dash(e.requestHeader.apply("User-Agent"));
            case "T":
                return e -> Long.toString(e.nanos / 1_000_000_000L);
            case "M":
                return e -> Long.toString(e.nanos / 1_000_000L);
            case "D":
                return e -> Long.toString(e.nanos / 1_000L);
            case "L":
                return e -> String.format(Locale.ROOT, "%.6f", e.nanos / 1e9);
            case "p":
                return e -> "<" + PID + ">";
            default:
                return e -> "-";
        }
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** One response, as a kind describes it. */
    public static final class Entry {
        final String remote;
        final String method;
        final String target;
        final String protocol;
        final int status;
        final long bytes;
        final long nanos;
        final ZonedDateTime start;
        final Function<String, String> requestHeader;
        final Function<String, String> responseHeader;

        /**
         * @param remote the client's address (no port), or null
         * @param target the request target as sent: path and query
         * @param bytes the response body's length, 0 or less for none
         * @param nanos the time from the request's start to the response's end
         * @param requestHeader a request header's value by name, or null
         * @param responseHeader a response header's value by name, or null
         */
        public Entry(String remote, String method, String target, String protocol, int status, long bytes, long nanos,
                ZonedDateTime start, Function<String, String> requestHeader, Function<String, String> responseHeader) {
            this.remote = remote;
            this.method = method;
            this.target = target;
            this.protocol = protocol;
            this.status = status;
            this.bytes = bytes;
            this.nanos = nanos;
            this.start = start;
            this.requestHeader = requestHeader;
            this.responseHeader = responseHeader;
        }
    }
}
