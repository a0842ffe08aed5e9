package io.qilin.worker.gthread;

import io.qilin.worker.RequestTimeouts;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.xnio.IoUtils;

/**
 * {@code --request-timeout} on gthread: the thread a request runs on, and the answer its client gets
 * when it outruns the limit: 503 with {@code Connection: close}, or the connection closed when the
 * response has started.
 */
final class TimedOutAnswer {
    /** The watch of an exchange, while {@code --request-timeout} is on. */
    static final AttachmentKey<RequestTimeouts.Watch> WATCH = AttachmentKey.create(RequestTimeouts.Watch.class);
    private static final byte[] BODY = "Request timed out\n".getBytes(StandardCharsets.UTF_8);

    private TimedOutAnswer() {
    }

    /** Tells the exchange's watch which task thread runs the application, and when it is done with it. */
    static HttpHandler watchThread(HttpHandler next) {
        return exchange -> {
            RequestTimeouts.Watch watch = exchange.getAttachment(WATCH);
            if (watch == null) {
                next.handleRequest(exchange);
                return;
            }
            watch.runningOn(Thread.currentThread());
            try {
                next.handleRequest(exchange);
            } finally {
                watch.runningOn(null);
            }
        };
    }

    /**
     * Answers on a thread of its own: the response is written through the exchange's blocking stream,
     * which the stuck application thread never got to use, and the checking thread must not block.
     */
    static void send(HttpServerExchange exchange) {
        Thread t = new Thread(() -> answer(exchange), "qilin-request-timeout");
        t.setDaemon(true);
        t.start();
    }

    private static void answer(HttpServerExchange exchange) {
        try {
            if (exchange.isResponseStarted()) {
                IoUtils.safeClose(exchange.getConnection());
                return;
            }
            exchange.setStatusCode(503);
            exchange.setPersistent(false);
            exchange.getResponseHeaders().clear();
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.setResponseContentLength(BODY.length);
            if (!exchange.isBlocking()) {
                exchange.startBlocking();
            }
            try (OutputStream out = exchange.getOutputStream()) {
                out.write(BODY);
            }
            exchange.endExchange();
        } catch (Exception e) {
            IoUtils.safeClose(exchange.getConnection());
        }
    }
}
