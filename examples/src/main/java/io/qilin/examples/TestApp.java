package io.qilin.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The test app of the end-to-end scenarios:
 * {@code /sleep} and {@code /hang} print a line to stderr when they start, so a test knows they are
 * in flight.
 * <ul>
 *   <li>{@code /pid}: the serving worker's pid;</li>
 *   <li>{@code /sleep?s=N}: answers the pid after N seconds (fractions allowed);</li>
 *   <li>{@code /hang}: never answers;</li>
 *   <li>{@code /boom}: the worker process dies at once (exit code 70);</li>
 *   <li>{@code /echo}: the request body back;</li>
 *   <li>{@code /big?mb=N}: N MiB of zeros (default 64), for a client that does not read;</li>
 *   <li>{@code /whoami}: the client's address and the scheme, as the worker sees them;</li>
 *   <li>{@code /peer}: the subject of the client's TLS certificate, {@code none} without one, {@code plain} without TLS;</li>
 *   <li>{@code /leak?mb=N}: keeps N more MiB (default 16) for as long as the worker lives, a memory leak;</li>
 *   <li>anything else: {@code ok}.</li>
 * </ul>
 */
public class TestApp implements HttpHandler {
    private static final java.util.List<byte[]> LEAKED = new java.util.ArrayList<>();

    /** The exit code {@code /boom} dies with. */
    public static final int BOOM_EXIT_CODE = 70;

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        switch (path) {
            case "/pid":
                send(exchange, 200, Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
                break;
            case "/sleep":
                started(exchange);
                sleep(seconds(exchange.getRequestURI().getQuery()));
                send(exchange, 200, Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
                break;
            case "/hang":
                started(exchange);
                sleep(Double.MAX_VALUE);
                break;
            case "/boom":
                Runtime.getRuntime().halt(BOOM_EXIT_CODE);
                break;
            case "/echo":
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                send(exchange, 200, body);
                break;
            case "/big": // ?mb=N MiB of zeros (default 64), written 64 KiB at a time, for clients that do not read
                long mib = (long) number(exchange.getRequestURI().getQuery(), "mb=", 64);
                exchange.sendResponseHeaders(200, mib << 20);
                try (java.io.OutputStream out = exchange.getResponseBody()) {
                    byte[] chunk = new byte[64 << 10];
                    for (long i = 0; i < mib * 16; i++) {
                        out.write(chunk);
                    }
                }
                break;
            case "/whoami":
                send(exchange, 200, (exchange.getRemoteAddress().getAddress().getHostAddress() + " "
                        + exchange.getAttribute("qilin.scheme")).getBytes(StandardCharsets.US_ASCII));
                break;
            case "/peer":
                send(exchange, 200, peerSubject(exchange).getBytes(StandardCharsets.UTF_8));
                break;
            case "/leak":
                synchronized (LEAKED) {
                    for (int i = 0; i < number(exchange.getRequestURI().getQuery(), "mb=", 16); i++) {
                        LEAKED.add(new byte[1 << 20]);
                    }
                    send(exchange, 200, (LEAKED.size() + " MiB leaked\n").getBytes(StandardCharsets.US_ASCII));
                }
                break;
            default:
                send(exchange, 200, "ok\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Tests wait for this line to know a slow request is in flight. */
    private static void started(HttpExchange exchange) {
        System.err.println("TestApp: " + exchange.getRequestURI() + " started in pid " + ProcessHandle.current().pid());
    }

    private static String peerSubject(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange) || ((HttpsExchange) exchange).getSSLSession() == null) {
            return "plain";
        }
        try {
            java.security.cert.Certificate[] chain = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
            return ((java.security.cert.X509Certificate) chain[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return "none";
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static double seconds(String query) {
        return number(query, "s=", 1);
    }

    private static double number(String query, String prefix, double otherwise) {
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith(prefix)) {
                    return Double.parseDouble(kv.substring(prefix.length()));
                }
            }
        }
        return otherwise;
    }

    private static void sleep(double seconds) {
        long until = System.nanoTime() + (long) Math.min(seconds * 1e9, Long.MAX_VALUE / 2.0);
        try {
            while (System.nanoTime() < until) {
                Thread.sleep(Math.max(1, Math.min(60_000, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
