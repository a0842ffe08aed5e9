package io.qilin.arbiter.control;

import io.qilin.arbiter.listen.BindAddress;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code --health-bind}: {@code GET /livez}, {@code /readyz} and {@code /startupz} for probes
 * (Kubernetes, a load balancer), as plain text or JSON ({@code Accept: application/json} or
 * {@code ?format=json}); 200 when the check passes, 503 when not. One acceptor thread hands each
 * connection to a thread of its own, so a client that stalls mid-request holds only its own thread
 * (and for {@link #READ_TIMEOUT_MILLIS} at most); beyond {@link #MAX_CONNECTIONS} at once, new
 * connections are closed at once. Reads only the {@link StatusBoard}.
 */
public final class HealthServer implements Closeable {
    static final int MAX_CONNECTIONS = 32;
    static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEAD_BYTES = 8192;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final ServerSocket server;
    private final StatusBoard board;
    private final ThreadPoolExecutor connections;
    private final Thread acceptor;

    private HealthServer(ServerSocket server, StatusBoard board) {
        this.server = server;
        this.board = board;
        this.connections = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "qilin-health-connection"));
        this.acceptor = daemon(this::acceptLoop, "qilin-health");
    }

    /**
     * Listens on {@code value} ({@code HOST:PORT}, {@code [v6]:PORT}, or a bare {@code PORT} for
     * 127.0.0.1, as the settings checked) and serves at once.
     */
    public static HealthServer start(String value, StatusBoard board) throws IOException {
        InetSocketAddress address = address(value);
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, 64);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot serve the health checks on " + value + ": " + e.getMessage(), e);
        }
        HealthServer health = new HealthServer(socket, board);
        health.acceptor.start();
        return health;
    }

    /** A bare port is on the loopback address: probes from the same host, nothing exposed by default. */
    static InetSocketAddress address(String value) {
        String v = value.trim();
        if (v.matches("\\d+")) {
            return new InetSocketAddress("127.0.0.1", Integer.parseInt(v));
        }
        BindAddress a = BindAddress.parse(v);
        return new InetSocketAddress(a.host(), a.port());
    }

    /** The address actually bound (port 0 picks one). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
                continue;   // e.g. the peer reset before accept: the next one
            }
            try {
                connections.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                closeQuietly(client);   // MAX_CONNECTIONS clients are stalled already
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(READ_TIMEOUT_MILLIS);
            String head = readHead(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (head == null) {
                respond(out, 400, TEXT, "Bad request\n", false);
                return;
            }
            String[] lines = head.split("\r?\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
                respond(out, 400, TEXT, "Bad request\n", false);
                return;
            }
            String method = requestLine[0];
            boolean headOnly = method.equals("HEAD");
            if (!method.equals("GET") && !headOnly) {
                respond(out, 405, TEXT, "Only GET and HEAD\n", false);
                return;
            }
            String target = requestLine[1];
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q);
            String query = q < 0 ? "" : target.substring(q + 1);
            Health.Check check = Health.Check.at(path);
            if (check == null) {
                respond(out, 404, TEXT, "Not found: the health checks are /livez, /readyz and /startupz\n", headOnly);
                return;
            }
            Health.Verdict v = Health.check(check, board, System.currentTimeMillis());
            int status = v.ok() ? 200 : 503;
            if (wantsJson(query, lines)) {
                respond(out, status, JSON, Json.write(v.toJson()) + "\n", headOnly);
            } else {
                respond(out, status, TEXT, v.text(), headOnly);
            }
        } catch (IOException e) {
            // the client went away or stalled past the read timeout: nothing to answer
        }
    }

    /** {@code ?format=json} wins, then {@code ?format=text}, then the Accept header. */
    private static boolean wantsJson(String query, String[] headLines) {
        for (String param : query.split("&")) {
            if (param.equals("format=json")) {
                return true;
            }
            if (param.equals("format=text")) {
                return false;
            }
        }
        for (String line : headLines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("accept")) {
                return line.substring(colon + 1).toLowerCase(Locale.ROOT).contains(JSON);
            }
        }
        return false;
    }

    /** The request line and headers up to the blank line (CRLF or bare LF), or null if too long or cut short. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (head.size() < MAX_HEAD_BYTES) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a || (last4 & 0xffff) == 0x0a0a) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void respond(OutputStream out, int status, String type, String body, boolean headOnly)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> "Service Unavailable";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + bytes.length + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!headOnly) {
            out.write(bytes);
        }
        out.flush();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        connections.shutdownNow();
    }
}
