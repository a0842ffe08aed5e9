package io.qilin.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class GunicornLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("test");

    @Test
    void writesGunicornsErrorLogLine() {
        String line = layout().doLayout(new LoggingEvent("x", logger, Level.INFO, "Booting worker with pid: {}",
                null, new Object[] {42}));
        assertThat(line).matches("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}] \\[" + ProcessHandle.current().pid()
                + "] \\[INFO] Booting worker with pid: 42" + System.lineSeparator());
    }

    @Test
    void appendsTheStackTrace() {
        String line = layout().doLayout(new LoggingEvent("x", logger, Level.ERROR, "Exception in worker process",
                new IllegalStateException("boom"), null));
        assertThat(line).contains("[ERROR] Exception in worker process" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom").contains("\tat ");
    }

    @Test
    void defaultLoggingQuietsTheServerLibraries() {
        new DefaultLogging().configure(context);
        assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.qilin.worker").getEffectiveLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("stderr")).isNotNull();
    }

    private GunicornLayout layout() {
        GunicornLayout layout = new GunicornLayout();
        layout.setContext(context);
        layout.start();
        return layout;
    }
}
