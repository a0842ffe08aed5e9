package io.qilin.arbiter;

/** The master's exit codes, as Gunicorn's; a worker's are {@link io.qilin.worker.ExitCodes}. */
final class MasterExitCodes {
    /** Stopped by TERM or INT (or {@code qilin ctl stop}). */
    static final int OK = 0;
    /** Could not start: bad settings, a port in use, a pidfile of a live master. */
    static final int STARTUP_ERROR = 1;
    /** Workers could not boot at first start (Gunicorn's WORKER_BOOT_ERROR). */
    static final int WORKER_BOOT_ERROR = 3;
    /** The application could not be loaded at first start (Gunicorn's APP_LOAD_ERROR). */
    static final int APP_LOAD_ERROR = 4;
    /** A bug: an exception escaped the loop. */
    static final int UNHANDLED = 255;

    private MasterExitCodes() {
    }
}
