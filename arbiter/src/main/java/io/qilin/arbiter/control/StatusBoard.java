package io.qilin.arbiter.control;

/**
 * The latest {@link MasterStatus}: written by the loop thread, read by the control sessions and the
 * metrics endpoint, which never see the worker table itself.
 */
public final class StatusBoard {
    private volatile MasterStatus latest;

    /** The loop's side: replaces the status; returns it. */
    public MasterStatus publish(MasterStatus status) {
        latest = status;
        return status;
    }

    /** The latest status; null before the loop's first pass. */
    public MasterStatus latest() {
        return latest;
    }
}
