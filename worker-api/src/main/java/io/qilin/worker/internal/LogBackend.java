package io.qilin.worker.internal;

import java.util.List;
import java.util.ServiceLoader;

/**
 * What a Qilin process asks of its logging backend: {@code --log-level}, {@code --error-logfile},
 * {@code --access-logfile}, {@code --log-syslog} and USR1's reopen. Found by {@link ServiceLoader}, as SLF4J finds its
 * provider, so that {@code worker-api} needs SLF4J's API alone; Qilin's distribution ships the Logback
 * one ({@code qilin-logging}). Without one the settings do nothing and logging is the SLF4J provider's own.
 */
public interface LogBackend {
    /** Sets the root logger to one of Gunicorn's level names. */
    void applyLevel(String level);

    /** Sends the log to {@code file} instead of stderr; {@code -} or empty keeps stderr. */
    void logTo(String file);

    /** Sends the access log to {@code file}, or to stdout for {@code -}; empty leaves it off. */
    void accessLogTo(String file);

    /**
     * {@code --log-syslog}: the log also to syslog at {@code address} (Gunicorn's {@code syslog_addr}
     * forms), tagged {@code qilin.PREFIX.error}, and with {@code access} the access log too. Does nothing
     * unless a backend supports it.
     *
     * @throws IllegalArgumentException when the address is invalid or cannot be reached
     */
    default void syslogTo(String address, String facility, String prefix, boolean access) {
    }

    /** Closes and reopens every log file; returns the files reopened. */
    List<String> reopen();

    /** The backend on the class path, or one that does nothing. */
    static LogBackend current() {
        return Holder.BACKEND;
    }

    /** Loads the backend once, on first use. */
    final class Holder {
        static final LogBackend BACKEND = ServiceLoader.load(LogBackend.class, LogBackend.class.getClassLoader())
                .findFirst().orElse(new None());

        private Holder() {
        }
    }

    /** No backend: the SLF4J provider's own configuration stands. */
    final class None implements LogBackend {
        @Override
        public void applyLevel(String level) {
        }

        @Override
        public void logTo(String file) {
        }

        @Override
        public void accessLogTo(String file) {
        }

        @Override
        public List<String> reopen() {
            return List.of();
        }
    }
}
