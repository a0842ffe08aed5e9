package io.qilin.worker.vertx;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A portable test application: {@code /}, {@code /sleep?ms=N}, {@code /boom}, {@code /echo}, {@code /stream}, {@code /thread}, {@code /whoami}. */
public class PortableApp implements HttpHandler {
    /** Requests now inside {@code /sleep}. */
    static final AtomicInteger SLEEPING = new AtomicInteger();
    /** How many /big responses failed to go out: the client was cut. */
    static final java.util.concurrent.atomic.AtomicInteger BIG_CUT = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/sleep":
                SLEEPING.incrementAndGet();
                try {
                    Thread.sleep(Long.parseLong(exchange.getRequestURI().getQuery().substring("ms=".length())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    SLEEPING.decrementAndGet();
                }
                reply(exchange, "slept");
                break;
            case "/boom":
                throw new IllegalStateException("boom");
            case "/echo":
                reply(exchange, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1));
                break;
            case "/stream":
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < 3; i++) {
                        out.write(("part" + i + ";").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    out.write(new byte[100_000]);
                }
                break;
            case "/big": // 16 MiB in 64 KiB writes, for a client that never reads
                exchange.sendResponseHeaders(200, 16 << 20);
                try (OutputStream out = exchange.getResponseBody()) {
                    byte[] chunk = new byte[64 << 10];
                    for (int i = 0; i < 256; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    BIG_CUT.incrementAndGet();
                    throw e;
                }
                break;
            case "/thread":
                reply(exchange, Thread.currentThread().toString());
                break;
            case "/whoami":
                reply(exchange, exchange.getRemoteAddress().getAddress().getHostAddress());
                break;
            default:
                reply(exchange, "hello");
        }
    }

    private static void reply(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
