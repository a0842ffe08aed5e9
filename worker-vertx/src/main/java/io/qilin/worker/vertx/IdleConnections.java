package io.qilin.worker.vertx;

import io.vertx.core.http.HttpConnection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The connections of one event loop, each with the time it began waiting for its next request (or
 * its first). {@link #sweep(long)} closes those that waited longer than the limit; a connection
 * with a request in progress is never closed, however long the request takes.
 * Only the loop's own thread uses an instance: its connections' events and its sweep all run there.
 * A sweep every fraction of the limit replaces a timer set and cancelled on every request, which
 * cost more CPU than the rest of the worker's per-request bookkeeping.
 */
final class IdleConnections {
    private static final long BUSY = Long.MIN_VALUE;

    private final Map<HttpConnection, long[]> waitingSince = new HashMap<>();
    private final long limitNanos;

    IdleConnections(long limitNanos) {
        this.limitNanos = limitNanos;
    }

    /** A new connection: it waits for its first request from now. */
    void opened(HttpConnection connection, long now) {
        waitingSince.put(connection, new long[] {now});
        connection.closeHandler(v -> waitingSince.remove(connection));
    }

    /** A request started on the connection. */
    void busy(HttpConnection connection) {
        long[] since = waitingSince.get(connection);
        if (since != null) {
            since[0] = BUSY;
        }
    }

    /** The connection's response is done: it waits for its next request from now. */
    void waiting(HttpConnection connection, long now) {
        long[] since = waitingSince.get(connection);
        if (since != null) {
            since[0] = now;
        }
    }

    /** The connection is no longer an HTTP connection (an upgrade): never closed for being idle. */
    void forget(HttpConnection connection) {
        waitingSince.remove(connection);
    }

    /** Closes every connection that has waited at least the limit. */
    void sweep(long now) {
        for (Iterator<Map.Entry<HttpConnection, long[]>> it = waitingSince.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HttpConnection, long[]> e = it.next();
            long since = e.getValue()[0];
            if (since != BUSY && now - since >= limitNanos) {
                it.remove(); // also when the application replaced the close handler above
                e.getKey().close();
            }
        }
    }
}
