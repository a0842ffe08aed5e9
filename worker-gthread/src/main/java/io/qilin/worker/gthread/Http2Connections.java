package io.qilin.worker.gthread;

import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's open HTTP/2 connections and their streams in flight, for the graceful stop: once the
 * worker stops, each connection gets a GOAWAY as soon as it has no stream in flight (at once if it
 * has none), and Undertow closes it after the GOAWAY. Undertow's own {@code sendGoAway} closes the
 * connection straight away, streams and all, hence the wait. A stream the client sent after the last
 * one the worker read is beyond the GOAWAY's last stream id: the client knows it was not processed.
 * Counts are kept on each connection's I/O thread, where Undertow starts its requests.
 */
final class Http2Connections {
    private static final AttachmentKey<int[]> STREAMS = AttachmentKey.create(int[].class);
    /** Undertow does not hand out the channel of an HTTP/2 exchange's connection; it is this field. */
    private static final Field CHANNEL = channelField();

    private final Set<Http2Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /** True when the exchange is a stream of an HTTP/2 connection. */
    static boolean isHttp2(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof Http2ServerConnection;
    }

    /** An HTTP/2 request starts: counted until it completes. On the connection's I/O thread. */
    void started(HttpServerExchange exchange) {
        Http2Channel channel = channelOf((Http2ServerConnection) exchange.getConnection());
        int[] streams = channel.getAttachment(STREAMS);
        if (streams == null) {
            streams = new int[1];
            channel.putAttachment(STREAMS, streams);
            open.add(channel);
            channel.addCloseTask(open::remove);
        }
        streams[0]++;
        exchange.addExchangeCompleteListener((ex, next) -> {
            channel.getIoThread().execute(() -> finished(channel));
            next.proceed();
        });
    }

    /** The worker stops: every connection without a stream in flight goes away now, the others after their last. */
    void stop() {
        stopping = true;
        for (Http2Channel channel : open) {
            channel.getIoThread().execute(() -> goAwayIfIdle(channel));
        }
    }

    private void finished(Http2Channel channel) {
        channel.getAttachment(STREAMS)[0]--;
        if (stopping) {
            goAwayIfIdle(channel);
        }
    }

    private static void goAwayIfIdle(Http2Channel channel) {
        if (channel.isOpen() && channel.getAttachment(STREAMS)[0] == 0) {
            channel.sendGoAway(Http2Channel.ERROR_NO_ERROR);
        }
    }

    private static Http2Channel channelOf(Http2ServerConnection connection) {
        try {
            return (Http2Channel) CHANNEL.get(connection);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field channelField() {
        try {
            Field f = Http2ServerConnection.class.getDeclaredField("channel");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("this Undertow's Http2ServerConnection has no channel field", e);
        }
    }
}
