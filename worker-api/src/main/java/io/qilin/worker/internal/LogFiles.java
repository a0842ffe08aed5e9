package io.qilin.worker.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Reopens the log files of this process (USR1), so files renamed by logrotate are let go. */
public final class LogFiles {
    private LogFiles() {
    }

    /** Closes and reopens every file appender; returns the files reopened. */
    public static List<String> reopen() {
        List<String> files = new ArrayList<>();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            return files;
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (ch.qos.logback.classic.Logger logger : ctx.getLoggerList()) {
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext();) {
                Appender<?> a = it.next();
                if (a instanceof FileAppender) {
                    FileAppender<?> fa = (FileAppender<?>) a;
                    fa.stop();
                    fa.start();
                    files.add(fa.getFile());
                }
            }
        }
        return files;
    }
}
