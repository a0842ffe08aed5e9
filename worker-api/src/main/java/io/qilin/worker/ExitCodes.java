package io.qilin.worker;

/** Exit codes a worker process reports to the master, as Gunicorn's. */
public final class ExitCodes {
    /** Normal exit: graceful or quick stop, max-requests recycling, master gone. */
    public static final int OK = 0;
    /** Aborted by the master after a timeout (SIGABRT), after writing a thread dump. */
    public static final int ABORTED = 1;
    /** The worker failed to boot for a reason other than the application. */
    public static final int WORKER_BOOT_ERROR = 3;
    /** The application could not be loaded: class, member or type wrong, or its constructor threw. */
    public static final int APP_LOAD_ERROR = 4;
    /**
     * Stopped gracefully after a request outran {@code --request-timeout} and left a thread of the
     * application stuck: a recycle, not a crash (see {@link RequestTimeouts}).
     */
    public static final int REQUEST_TIMEOUT = 5;

    private ExitCodes() {
    }
}
