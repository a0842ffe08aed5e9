package io.qilin.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Warmup;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the requests it gets by the local port they arrived on and by whether they carry the
 * warm-up header, and is its own {@link Warmup} hook (it sends {@code GET /from-hook}).
 * {@code /fail} answers 500; {@code /stats} answers
 * {@code hook=true|false warmupAfterUser=true|false PORT:warmup/plain ...}.
 */
public class WarmupCountingApp implements HttpHandler, Warmup {
    private final Map<Integer, int[]> byPort = new TreeMap<>();
    private volatile boolean hookRan;
    private boolean sawUserRequest;
    private boolean warmupAfterUser;

    @Override
    public void warmUp(Client client) throws IOException {
        if (client.get("/from-hook") == 200) {
            hookRan = true;
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        boolean warmup = exchange.getRequestHeaders().getFirst(Warmup.HEADER) != null;
        String stats;
        synchronized (this) {
            int[] counts = byPort.computeIfAbsent(exchange.getLocalAddress().getPort(), p -> new int[2]);
            counts[warmup ? 0 : 1]++;
            if (warmup && sawUserRequest) {
                warmupAfterUser = true;
            }
            sawUserRequest |= !warmup;
            StringBuilder sb = new StringBuilder("hook=" + hookRan + " warmupAfterUser=" + warmupAfterUser);
            byPort.forEach((port, c) -> sb.append(' ').append(port).append(':').append(c[0]).append('/').append(c[1]));
            stats = sb.toString();
        }
        String path = exchange.getRequestURI().getPath();
        byte[] body = (path.equals("/stats") ? stats : "ok").getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(path.equals("/fail") ? 500 : 200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
