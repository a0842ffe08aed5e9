package io.qilin.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * Qilin's logging when no Logback file is named ({@code --log-config} sets {@code logback.configurationFile}):
 * Gunicorn's line format to stderr, the server libraries at WARN. Found by Logback's {@code ServiceLoader}
 * lookup in the master and in every worker. Built in code because reading an XML configuration costs a
 * worker JVM about 150 ms of its boot.
 */
public final class DefaultLogging extends ContextAwareBase implements Configurator {
    static final String CONFIGURATION_FILE = "logback.configurationFile";
    /** Chatty at INFO, and their warnings are what a Qilin user needs. */
    static final List<String> QUIET = List.of("org.xnio", "io.undertow", "io.netty", "io.vertx", "org.jboss");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(CONFIGURATION_FILE) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(context, new GunicornLayout()));
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A started encoder writing lines of {@code layout}. */
    static Encoder<ILoggingEvent> encoder(LoggerContext context, ch.qos.logback.core.Layout<ILoggingEvent> layout) {
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }
}
