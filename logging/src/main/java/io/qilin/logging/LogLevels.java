package io.qilin.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Applies {@code --log-level} (Gunicorn's names) to the root logger of this process. */
public final class LogLevels {
    /** The names {@code --log-level} accepts, as Gunicorn's. */
    public static final List<String> NAMES = List.of("debug", "info", "warning", "error", "critical");

    private LogLevels() {
    }

    public static void apply(String name) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level(name));
        }
    }

    static Level level(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "debug":
                return Level.DEBUG;
            case "warning":
            case "warn":
                return Level.WARN;
            case "error":
            case "critical":
                return Level.ERROR;
            default:
                return Level.INFO;
        }
    }
}
