package io.qilin.worker.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Faults the worker conformance kit ({@code qilin-worker-tck}) injects into a worker under test.
 * Off unless the worker JVM runs with {@code -Dqilin.tck.probes=true}, which only the kit passes
 * (through {@code --worker-jvm-opts}); never set it in production: a request could then hang a worker.
 */
public final class ConformanceProbes {
    /** The request target that hangs, forever, the thread reporting the request's start. */
    public static final String STALL_TARGET = "/qilin-tck/stall-dispatch";
    private static final boolean ENABLED = Boolean.getBoolean("qilin.tck.probes");

    private ConformanceProbes() {
    }

    /**
     * Called where a kind reports a request's start ({@code Worker.requestStarted}): with probes on
     * and {@link #STALL_TARGET} as the target, the calling thread (the kind's dispatching thread)
     * parks until the process dies, as an event loop or accept loop stuck in a bug would.
     */
    public static void onRequestStarted(String requestLine) {
        if (ENABLED && requestLine.contains(" " + STALL_TARGET)) {
            stall();
        }
    }

    private static void stall() {
        // stderr, not the logger: the kit waits for this line, whatever the kind's logging does
        System.err.println("qilin-tck: thread " + Thread.currentThread().getName() + " hung in requestStarted for "
                + STALL_TARGET);
        while (true) {
            LockSupport.park(ConformanceProbes.class);
        }
    }
}
