package io.qilin.worker;

import io.qilin.worker.protocol.ThreadDumps;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --request-timeout} for kinds whose requests run on threads the heartbeat does not come from
 * (gthread's task threads, vertx's application threads). A request that runs longer gets the stack of
 * the thread running it in the log and its client an answer ({@link Answer}: 503, or the connection
 * closed once the response has started), within {@link #CHECK_MILLIS} of the limit. Java cannot stop
 * a thread safely, so when a thread of the application is stuck in it, the worker then stops
 * gracefully ({@link Worker#replaceForStuckRequest}): it accepts no more, finishes its other requests
 * and exits with {@link ExitCodes#REQUEST_TIMEOUT}, and the master starts another.
 * One daemon thread checks every request in flight a few times a second.
 */
public final class RequestTimeouts {
    private static final Logger log = LoggerFactory.getLogger(RequestTimeouts.class);
    /** How often the requests in flight are checked: the client hears within this after the limit. */
    static final long CHECK_MILLIS = 200;

    /** How a kind answers a request that timed out. Called on the checking thread; must not block. */
    @FunctionalInterface
    public interface Answer {
        void timedOut();
    }

    private final int limitSeconds;
    private final long limitNanos;
    private final Worker worker;
    private final Set<Watch> inFlight = ConcurrentHashMap.newKeySet();

    private RequestTimeouts(int limitSeconds, Worker worker) {
        this.limitSeconds = limitSeconds;
        this.limitNanos = TimeUnit.SECONDS.toNanos(limitSeconds);
        this.worker = worker;
        Thread t = new Thread(this::checkForever, "qilin-request-timeouts");
        t.setDaemon(true);
        t.start();
    }

    /** Watching with this limit, or null when it is 0 (off). */
    static RequestTimeouts start(int limitSeconds, Worker worker) {
        return limitSeconds > 0 ? new RequestTimeouts(limitSeconds, worker) : null;
    }

    /** A request started; call {@link Watch#finished()} when its response is done or failed. */
    public Watch started(String requestLine, Answer answer) {
        Watch w = new Watch(requestLine, answer);
        inFlight.add(w);
        return w;
    }

    /** One request in flight. */
    public final class Watch {
        private final String requestLine;
        private final Answer answer;
        private final long startNanos = System.nanoTime();
        private volatile Thread thread;
        private volatile Thread ioThread;

        private Watch(String requestLine, Answer answer) {
            this.requestLine = requestLine;
            this.answer = answer;
        }

        /**
         * The application runs the request on this thread from now on (null: the thread is done with
         * it, though the response may still be on its way): if the request times out meanwhile, the
         * thread counts as stuck and the worker is replaced. Not for an I/O thread or event loop,
         * whose hanging the heartbeat catches.
         */
        public void runningOn(Thread t) {
            thread = t;
        }

        /**
         * The request started on this I/O thread or event loop: its stack is logged if no thread of
         * the application took the request over, but the worker is not replaced for it (a blocked
         * loop stops the heartbeat, and the master aborts the worker).
         */
        public void startedOn(Thread t) {
            ioThread = t;
        }

        /** The response is done (or failed): no longer watched. */
        public void finished() {
            inFlight.remove(this);
        }
    }

    private void checkForever() {
        while (true) {
            try {
                Thread.sleep(CHECK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Watch w : inFlight) {
                if (now - w.startNanos >= limitNanos && inFlight.remove(w)) {
                    try {
                        timedOut(w, now);
                    } catch (RuntimeException | LinkageError e) {
                        log.warn("Handling the timeout of {} failed: {}", w.requestLine, e.toString(), e);
                    }
                }
            }
        }
    }

    private void timedOut(Watch w, long now) {
        Thread t = w.thread;
        boolean stuck = t != null && t.isAlive();
        Thread shown = stuck ? t : w.ioThread;
        String where = stuck ? "the stack of its thread:%n" + ThreadDumps.describe(t).replace("%", "%%")
                : shown != null ? "it started on " + shown.getName() + ", which the heartbeat watches; its stack now:%n"
                        + ThreadDumps.describe(shown).replace("%", "%%")
                : "no thread of the application runs it (an asynchronous handler that never answered)";
        // it-tests match this line
        log.error(String.format(java.util.Locale.ROOT, "Request timeout (pid: %d): %s has run %.1f s, over "
                + "--request-timeout %d; " + where, ProcessHandle.current().pid(), w.requestLine,
                (now - w.startNanos) / 1e9, limitSeconds));
        try {
            w.answer.timedOut();
        } catch (RuntimeException e) {
            log.warn("Could not answer the timed-out request {}: {}", w.requestLine, e.toString());
        }
        if (stuck) {
            worker.replaceForStuckRequest(t.getName());
        }
    }
}
