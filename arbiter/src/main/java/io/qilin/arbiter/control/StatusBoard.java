package io.qilin.arbiter.control;

/**
 * The latest {@link MasterStatus}: written by the loop thread, read by the control sessions and the
 * metrics and health endpoints, which never see the worker table itself. Also the two facts the
 * health endpoints need sooner or longer than one status lives: the stop has begun, and a worker was
 * ever ready.
 */
public final class StatusBoard {
    private volatile MasterStatus latest;
    private volatile boolean stopping;
    private volatile boolean started;

    /** The loop's side: replaces the status; returns it. */
    public MasterStatus publish(MasterStatus status) {
        if (!started && status.workers().stream().anyMatch(MasterStatus.Worker::serving)) {
            started = true;
        }
        latest = status;
        return status;
    }

    /** The latest status; null before the loop's first pass. */
    public MasterStatus latest() {
        return latest;
    }

    /**
     * The master is stopping (TERM, INT, {@code qilin ctl stop}), from now on. Safe on any thread: the
     * signal handlers call it before the loop has seen the signal, so {@code /readyz} fails at once.
     */
    public void markStopping() {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    /** A worker has been ready at least once: the application loads and serves. */
    public boolean started() {
        return started;
    }
}
