package io.qilin.arbiter.control;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code qilin ctl} asks of the master. Implemented by the master's loop and called only on the
 * loop thread ({@link ControlServer#runPending}), so it may touch the worker table. A method that
 * cannot do what was asked throws {@link ControlException} with the reason.
 */
public interface ControlTarget {
    /** Publishes a fresh status and returns it. */
    MasterStatus refreshStatus();

    /** As HUP: starts a new generation; returns its number. */
    int startReload();

    /** Sets the number of workers; returns the new number. */
    int scale(Scale scale);

    /** TERMs one worker, which a new one replaces at once. */
    void retireWorker(long pid);

    /**
     * Sends PWR to one worker ({@code pid}) or to every worker that can take it ({@code 0}); returns
     * where each will write its thread dump, by pid.
     */
    Map<Long, Path> requestThreadDumps(long pid);

    /** As USR1: reopens the log files of the master and every worker. */
    void reopenLogs();

    /** As TERM ({@code graceful}) or INT: stops the master. */
    void requestStop(boolean graceful);
}
