package io.qilin.arbiter.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.qilin.arbiter.listen.BindAddress;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-bind HOST:PORT}: {@code GET /metrics} in Prometheus' text format, from the JDK's
 * own HTTP server on one thread of its own. It reads only the {@link StatusBoard}, never the workers.
 */
public final class MetricsServer implements Closeable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code hostPort} ({@code HOST:PORT} or {@code [v6]:PORT}, as the settings checked) and serves at once. */
    public static MetricsServer start(String hostPort, StatusBoard board) throws IOException {
        BindAddress a = BindAddress.parse(hostPort);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(a.host(), a.port()), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + hostPort + ": " + e.getMessage(), e);
        }
        http.createContext("/", exchange -> {
            try (exchange) {
                MasterStatus s = board.latest();
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    send(exchange, 404, "text/plain; charset=utf-8", "Not found: the metrics are at /metrics\n");
                } else if (s == null) {
                    send(exchange, 503, "text/plain; charset=utf-8", "The master is starting\n");
                } else {
                    send(exchange, 200, Prometheus.CONTENT_TYPE, Prometheus.format(s));
                }
            }
        });
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qilin-metrics");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return new MetricsServer(http);
    }

    /** The address actually bound (port 0 picks one). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
