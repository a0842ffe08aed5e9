package bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load client: RATE requests per second in all, spread evenly over CONNECTIONS
 * kept-alive connections (a new connection when the server closes one), for SECONDS seconds. Each
 * request has a scheduled send time, and its latency is counted from that time, not from when it was
 * actually sent: a connection stuck for a second makes the requests due meanwhile wait too, as a real
 * client's would, so a stall shows in the figures instead of silently lowering the rate.
 * <p>
 * A kept-alive connection the server closed before sending any byte of the response ("stale") is
 * retried once on a new connection, as HTTP clients do for idempotent requests; the latency includes
 * the retry.
 * <p>
 * Writes one line per request to OUT: {@code scheduled_us latency_us outcome retried port}, where
 * outcome is the status code, or {@code connect}, {@code reset}, {@code stale} (closed again on the
 * retry), {@code timeout}, {@code bad}; retried is 1 when the request was retried; port is the client
 * port of the connection kept for the next request (0 when the server closed it), which tells the
 * connections apart. scheduled_us is microseconds since the Unix epoch.
 * Usage: {@code RateClient HOST PORT PATH CONNECTIONS RATE SECONDS OUT}
 */
public final class RateClient {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final String host;
    private final int port;
    private final byte[] request;
    private final long epochOffsetMicros;

    private RateClient(String host, int port, String path) {
        this.host = host;
        this.port = port;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        this.epochOffsetMicros = System.currentTimeMillis() * 1000 - System.nanoTime() / 1000;
    }

    public static void main(String[] args) throws Exception {
        RateClient client = new RateClient(args[0], Integer.parseInt(args[1]), args[2]);
        int connections = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        double seconds = Double.parseDouble(args[5]);
        Path out = Path.of(args[6]);
        long start = System.nanoTime() + 50_000_000L;
        long end = start + (long) (seconds * 1e9);
        long period = (long) (connections * 1e9 / rate);
        List<StringBuilder> logs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            StringBuilder log = new StringBuilder(1 << 20);
            logs.add(log);
            long first = start + (long) (i * 1e9 / rate);
            Thread t = new Thread(() -> client.loop(first, period, end, log), "rate-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        try (PrintWriter w = new PrintWriter(new BufferedOutputStream(Files.newOutputStream(out)), false, StandardCharsets.US_ASCII)) {
            for (StringBuilder log : logs) {
                w.append(log);
            }
        }
    }

    private void loop(long first, long period, long end, StringBuilder log) {
        Socket socket = null;
        for (long due = first; due < end; due += period) {
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait); // may return early: check again
            }
            String outcome;
            int retried = 0;
            Attempt a = attempt(socket);
            socket = a.socket;
            outcome = a.outcome;
            if (outcome.equals("stale")) {
                retried = 1;
                a = attempt(null);
                socket = a.socket;
                outcome = a.outcome;
            }
            long done = System.nanoTime();
            log.append(epochOffsetMicros + due / 1000).append(' ').append((done - due) / 1000).append(' ')
                    .append(outcome).append(' ').append(retried).append(' ')
                    .append(socket == null ? 0 : socket.getLocalPort()).append('\n');
        }
        closeQuietly(socket);
    }

    /** The request's outcome and the connection to use next (null: open a new one). */
    private record Attempt(String outcome, Socket socket) {
    }

    private Attempt attempt(Socket socket) {
        boolean reused = socket != null;
        try {
            if (socket == null) {
                socket = connect();
            }
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            Response r = read(socket.getInputStream(), reused);
            if (!r.persistent) {
                socket = closeQuietly(socket);
            }
            return new Attempt(r.outcome, socket);
        } catch (java.net.ConnectException e) {
            return new Attempt("connect", closeQuietly(socket));
        } catch (SocketTimeoutException e) {
            return new Attempt("timeout", closeQuietly(socket));
        } catch (IOException e) {
            // a write on a kept-alive connection the server has closed: nothing of the response came
            return new Attempt(reused ? "stale" : "reset", closeQuietly(socket));
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(TIMEOUT_MILLIS);
        s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
        return s;
    }

    private record Response(String outcome, boolean persistent) {
    }

    /** Reads one response: status line, headers, a Content-Length body (or up to EOF without one). */
    private static Response read(InputStream in, boolean reused) throws IOException {
        byte[] buf = new byte[8192];
        int len = 0;
        int headerEnd = -1;
        while (headerEnd < 0) {
            if (len == buf.length) {
                return new Response("bad", false);
            }
            int n;
            try {
                n = in.read(buf, len, buf.length - len);
            } catch (IOException e) {
                if (len == 0 && reused && !(e instanceof SocketTimeoutException)) {
                    return new Response("stale", false);
                }
                throw e;
            }
            if (n < 0) {
                return new Response(len == 0 && reused ? "stale" : "reset", false);
            }
            len += n;
            headerEnd = indexOf(buf, len);
        }
        String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            return new Response("bad", false);
        }
        long contentLength = -1;
        boolean close = status[0].equals("HTTP/1.0");
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:")) {
                contentLength = Long.parseLong(l.substring(15).trim());
            } else if (l.startsWith("connection:")) {
                close = l.contains("close");
            }
        }
        long have = len - (headerEnd + 4);
        if (contentLength < 0) {
            while (in.read(buf) >= 0) {
                // a body up to EOF
            }
            return new Response(status[1], false);
        }
        while (have < contentLength) {
            int n = in.read(buf);
            if (n < 0) {
                return new Response("reset", false);
            }
            have += n;
        }
        return new Response(status[1], !close);
    }

    private static int indexOf(byte[] b, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static Socket closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        return null;
    }
}
