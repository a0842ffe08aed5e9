package io.qilin.logging;

import io.qilin.worker.internal.LogBackend;
import java.util.List;

/** {@link LogBackend} for Logback, found by workers through {@code ServiceLoader}. */
public final class LogbackBackend implements LogBackend {
    @Override
    public void applyLevel(String level) {
        LogLevels.apply(level);
    }

    @Override
    public void logTo(String file) {
        LogFiles.logTo(file);
    }

    @Override
    public void accessLogTo(String file) {
        LogFiles.accessLogTo(file);
    }

    @Override
    public void syslogTo(String address, String facility, String prefix, boolean access) {
        LogFiles.syslogTo(address, facility, prefix, access);
    }

    @Override
    public List<String> reopen() {
        return LogFiles.reopen();
    }
}
