package io.qilin.worker.gthread;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A native Undertow application, answering on the I/O thread; {@code /hold} blocks that thread until released. */
public final class NativeApp implements HttpHandler {
    /** Requests blocked in {@code /hold} right now. */
    static final AtomicInteger HOLDING = new AtomicInteger();
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public void handleRequest(HttpServerExchange exchange) throws InterruptedException {
        if (exchange.getRequestPath().equals("/hold")) {
            HOLDING.incrementAndGet();
            try {
                release.await();
            } finally {
                HOLDING.decrementAndGet();
            }
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send("native hello\n");
    }
}
