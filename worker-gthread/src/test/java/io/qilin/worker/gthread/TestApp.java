package io.qilin.worker.gthread;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A portable application: {@code /}, {@code /sleep?s=}, {@code /hold} (until released), {@code /boom},
 * {@code /echo}, {@code /stream}, {@code /whoami}.
 */
public final class TestApp implements HttpHandler {
    /** Requests inside {@code /sleep} or {@code /hold} right now. */
    static final AtomicInteger SLEEPING = new AtomicInteger();
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/whoami": // the client's address, as the exchange gives it
                byte[] who = exchange.getRemoteAddress().getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, who.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(who);
                }
                return;
            case "/boom":
                throw new IllegalStateException("boom (a test failure, expected)");
            case "/echo":
                byte[] body = exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                return;
            case "/big": // 16 MiB, for a client that never reads
                exchange.sendResponseHeaders(200, 16 << 20);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(new byte[16 << 20]);
                }
                return;
            case "/stream":
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < 3; i++) {
                        out.write(("part" + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
                return;
            case "/sleep":
            case "/hold":
                SLEEPING.incrementAndGet();
                try {
                    if (path.equals("/hold")) {
                        release.await();
                    } else {
                        Thread.sleep((long) (Double.parseDouble(exchange.getRequestURI().getQuery().substring(2)) * 1000));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    SLEEPING.decrementAndGet();
                }
                send(exchange, "slept\n");
                return;
            default:
                send(exchange, "hello\n");
        }
    }

    private static void send(HttpExchange exchange, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, b.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(b);
        }
    }
}
