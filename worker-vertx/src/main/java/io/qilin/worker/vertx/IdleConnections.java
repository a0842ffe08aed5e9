package io.qilin.worker.vertx;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
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
    /** Each connection's {deadline, requests in progress, 1 once sent a GOAWAY}. */
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
        if (connection.protocolVersion() == HttpVersion.HTTP_2) {
            forgetUpgraded(connection);
        }
        waitingUntil.put(connection, new long[] {now + firstNanos, 0, 0});
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
     * The worker stops: each HTTP/2 connection gets a GOAWAY (NO_ERROR, the last stream read) now; its
     * streams in progress finish, and it is closed like any other, once idle for the keep-alive (or by
     * the client first). Not closed at once: the client may have sent streams past the GOAWAY's last
     * one, which it retries elsewhere once it has read the GOAWAY, and a close meanwhile (a reset, with
     * those streams unread) would fail them instead. Vert.x's {@code shutdown} closes at once.
     */
    void goAway() {
        for (Map.Entry<HttpConnection, long[]> e : waitingUntil.entrySet()) {
            if (e.getValue()[2] == 0 && e.getKey().protocolVersion() == HttpVersion.HTTP_2) {
                e.getValue()[2] = 1;
                e.getKey().goAway(0);
            }
        }
    }

    /** The connection is no longer an HTTP connection (an upgrade): never closed for being idle. */
    void forget(HttpConnection connection) {
        waitingUntil.remove(connection);
    }

    /**
     * An h2c upgrade gives the same TCP connection a second, HTTP/2 connection object: the HTTP/1.1 one
     * (same peer address) must leave the sweep, which would otherwise close the connection under its streams.
     */
    private void forgetUpgraded(HttpConnection http2) {
        waitingUntil.keySet().removeIf(c -> c != http2 && c.protocolVersion() != HttpVersion.HTTP_2
                && java.util.Objects.equals(c.remoteAddress(), http2.remoteAddress()));
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
