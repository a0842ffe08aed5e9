package io.qilin.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code --log-syslog}: each event as Gunicorn's syslog handler writes it,
 * {@code <PRI>qilin.PREFIX.error: [PID] message} (or {@code .access} for the access log), to UDP, TCP or
 * a unix stream socket. Logback's own SyslogAppender speaks UDP only and adds a date and host name.
 */
public final class SyslogAppender extends AppenderBase<ILoggingEvent> {
    /** Gunicorn's facility names and numbers (Python's SysLogHandler's). */
    public static final Map<String, Integer> FACILITIES = Map.ofEntries(Map.entry("auth", 4), Map.entry("authpriv", 10),
            Map.entry("cron", 9), Map.entry("daemon", 3), Map.entry("ftp", 11), Map.entry("kern", 0), Map.entry("lpr", 6),
            Map.entry("mail", 2), Map.entry("news", 7), Map.entry("security", 4), Map.entry("syslog", 5),
            Map.entry("user", 1), Map.entry("uucp", 8), Map.entry("local0", 16), Map.entry("local1", 17),
            Map.entry("local2", 18), Map.entry("local3", 19), Map.entry("local4", 20), Map.entry("local5", 21),
            Map.entry("local6", 22), Map.entry("local7", 23));
    /** The facility names, in Gunicorn's documentation order. */
    public static final List<String> FACILITY_NAMES = List.of("auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr",
            "mail", "news", "security", "syslog", "user", "uucp", "local0", "local1", "local2", "local3", "local4",
            "local5", "local6", "local7");

    private final SyslogTransport transport;
    private final int facility;
    private final String tag;
    private final String pid = Long.toString(ProcessHandle.current().pid());

    /**
     * @param tag what precedes each message, as {@code qilin.myapp.error}
     */
    SyslogAppender(SyslogTransport transport, String facility, String tag) {
        this.transport = transport;
        this.facility = FACILITIES.get(facility);
        this.tag = tag;
    }

    @Override
    protected void append(ILoggingEvent event) {
        try {
            transport.send(format(event).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            addError("syslog: cannot send: " + e.getMessage());
        }
    }

    /** The message: priority, tag, pid, the message and the stack trace if any. */
    String format(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(96).append('<').append(facility * 8 + severity(event.getLevel())).append('>')
                .append(tag).append(": [").append(pid).append("] ").append(event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append('\n').append(ThrowableProxyUtil.asString(thrown));
        }
        return line.toString();
    }

    /** Python's SysLogHandler's mapping: error 3, warning 4, info 6, debug 7. */
    static int severity(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return 3;
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return 4;
        }
        return level.isGreaterOrEqual(Level.INFO) ? 6 : 7;
    }

    @Override
    public void stop() {
        super.stop();
        try {
            transport.close();
        } catch (IOException ignored) {
            // nothing more to send
        }
    }
}
