package io.qilin.worker;

/** Exit codes a worker process reports to the master: one meaning each. */
public final class ExitCodes {
    /** Normal exit: graceful or quick stop, max-requests recycling, master gone. */
    public static final int OK = 0;
    /** Aborted by the master after a timeout (SIGABRT), after writing a thread dump. */
    public static final int ABORTED = 1;
    /**
     * Out of memory. The number is HotSpot's, not ours: {@code -XX:+ExitOnOutOfMemoryError}, which the
     * master gives every worker JVM, always exits with 3, and nothing in Qilin exits with it otherwise.
     */
    public static final int OUT_OF_MEMORY = 3;
    /** The application could not be loaded: class, member or type wrong, or its constructor threw. */
    public static final int APP_LOAD_ERROR = 4;
    /**
     * The worker failed to boot for a reason other than the application (Gunicorn's 3, which HotSpot
     * already uses for {@link #OUT_OF_MEMORY}). The master still exits with 3 when this stops it.
     */
    public static final int WORKER_BOOT_ERROR = 5;
    /**
     * A request ran past --request-timeout on a thread Java cannot stop: the worker stopped accepting,
     * finished its other requests and exited, to be replaced.
     */
    public static final int REQUEST_TIMEOUT = 6;
    /** An exception ended a worker that had booted (Gunicorn's {@code sys.exit(-1)}). */
    public static final int CRASHED = 255;

    private ExitCodes() {
    }
}
