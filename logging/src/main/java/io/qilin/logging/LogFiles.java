package io.qilin.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log files of this process: {@code --error-logfile} redirects the log from stderr to a file, and
 * USR1 reopens every file, so files renamed by logrotate are let go.
 */
public final class LogFiles {
    private LogFiles() {
    }

    /**
     * Sends the root logger to {@code file} (appending) in the pattern it already has (Gunicorn's unless
     * a {@code --log-config} file says otherwise); {@code -} or empty keeps stderr.
     *
     * @throws IllegalArgumentException when the file cannot be opened
     */
    public static void logTo(String file) {
        if (file == null || file.isEmpty() || file.equals("-") || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String pattern = null;
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext();) {
            Appender<ILoggingEvent> a = it.next();
            if (a instanceof OutputStreamAppender
                    && ((OutputStreamAppender<ILoggingEvent>) a).getEncoder() instanceof PatternLayoutEncoder) {
                pattern = ((PatternLayoutEncoder) ((OutputStreamAppender<ILoggingEvent>) a).getEncoder()).getPattern();
            }
        }
        Encoder<ILoggingEvent> encoder;
        if (pattern != null) {
            PatternLayoutEncoder patterned = new PatternLayoutEncoder();
            patterned.setContext(ctx);
            patterned.setPattern(pattern);
            patterned.start();
            encoder = patterned;
        } else {
            encoder = DefaultLogging.encoder(ctx, new GunicornLayout());
        }
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("error-logfile");
        appender.setFile(file);
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalArgumentException("Invalid value for error-logfile: cannot open " + file + " for writing");
        }
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }

    /**
     * Sends the access log ({@link io.qilin.worker.AccessLog#LOGGER}) to {@code file}, or to stdout for
     * {@code -}; each line as it is, nothing added.
     */
    public static void accessLogTo(String file) {
        if (file == null || file.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Encoder<ILoggingEvent> encoder = DefaultLogging.encoder(ctx, new MessageLayout());
        OutputStreamAppender<ILoggingEvent> appender;
        if (file.equals("-")) {
            ch.qos.logback.core.ConsoleAppender<ILoggingEvent> console = new ch.qos.logback.core.ConsoleAppender<>();
            appender = console;
        } else {
            FileAppender<ILoggingEvent> fa = new FileAppender<>();
            fa.setFile(file);
            fa.setAppend(true);
            appender = fa;
        }
        appender.setContext(ctx);
        appender.setName("access-logfile");
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalArgumentException("Invalid value for accesslog: cannot open " + file + " for writing");
        }
        Logger access = ctx.getLogger(io.qilin.worker.AccessLog.LOGGER);
        access.detachAndStopAllAppenders();
        access.setAdditive(false);
        access.setLevel(ch.qos.logback.classic.Level.INFO);
        access.addAppender(appender);
    }

    /**
     * {@code --log-syslog}: the log also goes to syslog at {@code address}, tagged
     * {@code qilin.PREFIX.error}; with {@code access}, the access log too ({@code qilin.PREFIX.access}),
     * whether or not it also goes to a file.
     *
     * @throws IllegalArgumentException naming the setting, when the address is invalid or cannot be reached
     */
    public static void syslogTo(String address, String facility, String prefix, boolean access) {
        if (address == null || address.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        SyslogAddress to;
        try {
            to = SyslogAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value for syslog_addr: " + address + " (" + e.getMessage() + ")", e);
        }
        if (!SyslogAppender.FACILITIES.containsKey(facility)) {
            throw new IllegalArgumentException("Invalid value for syslog_facility: " + facility);
        }
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(syslogAppender(ctx, to, facility, prefix, "error"));
        if (access) {
            Logger accessLogger = ctx.getLogger(io.qilin.worker.AccessLog.LOGGER);
            accessLogger.setAdditive(false);
            accessLogger.setLevel(ch.qos.logback.classic.Level.INFO);
            accessLogger.addAppender(syslogAppender(ctx, to, facility, prefix, "access"));
        }
    }

    private static SyslogAppender syslogAppender(LoggerContext ctx, SyslogAddress to, String facility, String prefix, String log) {
        SyslogTransport transport;
        try {
            transport = new SyslogTransport(to);
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid value for syslog_addr: " + to + " (" + e.getMessage() + ")", e);
        }
        SyslogAppender appender = new SyslogAppender(transport, facility, "qilin." + prefix + "." + log);
        appender.setContext(ctx);
        appender.setName("syslog-" + log);
        appender.start();
        return appender;
    }

    /**
     * Configures logging from a Logback file ({@code --log-config}) instead of the distribution's.
     *
     * @throws IllegalArgumentException when the file is not a valid configuration
     */
    public static void configure(String file) {
        if (file == null || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
        joran.setContext(ctx);
        try {
            joran.doConfigure(file);
        } catch (ch.qos.logback.core.joran.spi.JoranException e) {
            throw new IllegalArgumentException("Invalid value for logconfig: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** Closes and reopens every file appender; returns the files reopened. */
    public static List<String> reopen() {
        List<String> files = new ArrayList<>();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return files;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (Logger logger : ctx.getLoggerList()) {
            for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext();) {
                Appender<ILoggingEvent> a = it.next();
                if (a instanceof FileAppender) {
                    FileAppender<ILoggingEvent> fa = (FileAppender<ILoggingEvent>) a;
                    fa.stop();
                    fa.start();
                    files.add(fa.getFile());
                }
            }
        }
        return files;
    }

    /** Each line as logged, nothing added: the access log. */
    private static final class MessageLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            return event.getFormattedMessage() + System.lineSeparator();
        }
    }
}
