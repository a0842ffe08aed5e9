package io.qilin.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Gunicorn's error log line, {@code [2026-12-01 13:37:21 +0000] [1234] [INFO] message}, written without
 * Logback's pattern parser: a worker JVM starts faster without it.
 */
public final class GunicornLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z")
            .withZone(ZoneId.systemDefault());

    private final String pid = Long.toString(ProcessHandle.current().pid());
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedDate;

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(96)
                .append('[').append(date(event.getTimeStamp())).append("] [").append(pid).append("] [")
                .append(event.getLevel()).append("] ").append(event.getFormattedMessage())
                .append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(ThrowableProxyUtil.asString(thrown)).append(CoreConstants.LINE_SEPARATOR);
        }
        return line.toString();
    }

    private synchronized String date(long millis) {
        long second = Math.floorDiv(millis, 1000L);
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedDate = DATE.format(Instant.ofEpochSecond(second));
        }
        return cachedDate;
    }
}
