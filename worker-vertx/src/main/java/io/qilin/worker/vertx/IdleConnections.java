package io.qilin.worker.vertx;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The connections of one event loop, each with the time by which its next request's head must have
 * come: {@code --header-timeout} after the connection opened, the keep-alive after each response.
 * {@link #sweep(long)} closes those past it, whether they sent nothing or part of a head (slowloris);
 * a connection with a request in progress is never closed, however long the request takes (on HTTP/2,
 * a connection with any stream in progress).
 * Only the loop's own thread uses an instance: its connections' events and its sweep all run there.
 * A sweep every fraction of the limit replaces a timer set and cancelled on every request, which
 * cost more CPU than the rest of the worker's per-request bookkeeping.
 */
final class IdleConnections {
    /** Each connection's {deadline, requests in progress}. */
    private final Map<HttpConnection, long[]> waitingUntil = new HashMap<>();
    private final long firstNanos;
    private final long idleNanos;

    /**
     * @param firstNanos how long a new connection has for its first request's head
     * @param idleNanos how long a connection has for the next request's head after a response
     */
    IdleConnections(long firstNanos, long idleNanos) {
        this.firstNanos = firstNanos;
        this.idleNanos = idleNanos;
    }

    /** A new connection: its first request's head must come within the first limit. */
    void opened(HttpConnection connection, long now) {
        waitingUntil.put(connection, new long[] {now + firstNanos, 0});
        connection.closeHandler(v -> waitingUntil.remove(connection));
    }

    /** A request started on the connection. */
    void busy(HttpConnection connection) {
        long[] until = waitingUntil.get(connection);
        if (until != null) {
            until[1]++;
        }
    }

    /** A response is done: with no other in progress, the connection waits for its next request from now, for the keep-alive. */
    void waiting(HttpConnection connection, long now) {
        long[] until = waitingUntil.get(connection);
        if (until != null && --until[1] <= 0) {
            until[1] = 0;
            until[0] = now + idleNanos;
        }
    }

    /**
     * The worker stops: each HTTP/2 connection gets a GOAWAY now (Vert.x's shutdown), finishes its
     * streams in progress and closes, within {@code grace}; it is no longer this sweep's.
     */
    void goAway(Duration grace) {
        for (Iterator<HttpConnection> it = waitingUntil.keySet().iterator(); it.hasNext();) {
            HttpConnection c = it.next();
            if (c.protocolVersion() == HttpVersion.HTTP_2) {
                it.remove();
                c.shutdown(grace);
            }
        }
    }

    /** The connection is no longer an HTTP connection (an upgrade): never closed for being idle. */
    void forget(HttpConnection connection) {
        waitingUntil.remove(connection);
    }

    /** Closes every connection past its deadline. */
    void sweep(long now) {
        for (Iterator<Map.Entry<HttpConnection, long[]>> it = waitingUntil.entrySet().iterator(); it.hasNext();) {
            Map.Entry<HttpConnection, long[]> e = it.next();
            long until = e.getValue()[0];
            if (e.getValue()[1] == 0 && now - until >= 0) {
                it.remove(); // also when the application replaced the close handler above
                e.getKey().close();
            }
        }
    }
}
