package bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A closed-loop HTTP/1.1 load client that records every request: CONNECTIONS threads, each sending
 * {@code GET PATH} one after the other for SECONDS seconds.
 * <ul>
 *   <li>{@code close}: a new connection per request ({@code Connection: close}), so every request goes
 *       through the listen queue the workers share;</li>
 *   <li>{@code keepalive}: one connection reused while the server allows it.</li>
 * </ul>
 * Writes one line per request to OUT: {@code start_us latency_us outcome}, where outcome is the status
 * code, or {@code connect}, {@code reset} (I/O error or EOF before a complete response), {@code stale}
 * (keep-alive only: the reused connection was closed before any byte of the response; clients retry
 * these), {@code timeout}, {@code bad}. start_us is microseconds since the Unix epoch.
 * Usage: {@code LoadClient HOST PORT PATH CONNECTIONS SECONDS close|keepalive OUT}
 */
public final class LoadClient {
    private static final int TIMEOUT_MILLIS = 10_000;

    private final String host;
    private final int port;
    private final byte[] request;
    private final boolean keepAlive;
    private final long deadline;
    private final long epochOffsetMicros;

    private LoadClient(String host, int port, String path, boolean keepAlive, long deadline) {
        this.host = host;
        this.port = port;
        this.keepAlive = keepAlive;
        this.deadline = deadline;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.epochOffsetMicros = System.currentTimeMillis() * 1000 - System.nanoTime() / 1000;
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        int connections = Integer.parseInt(args[3]);
        double seconds = Double.parseDouble(args[4]);
        boolean keepAlive = args[5].equals("keepalive");
        Path out = Path.of(args[6]);
        LoadClient client = new LoadClient(host, port, path, keepAlive, System.nanoTime() + (long) (seconds * 1e9));
        List<StringBuilder> logs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            StringBuilder log = new StringBuilder(1 << 20);
            logs.add(log);
            Thread t = new Thread(() -> client.loop(log), "load-" + i);
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

    private void loop(StringBuilder log) {
        Socket socket = null;
        while (System.nanoTime() < deadline) {
            long start = System.nanoTime();
            String outcome;
            boolean reused = socket != null;
            try {
                if (socket == null) {
                    socket = connect();
                }
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                Response r = read(socket.getInputStream(), reused);
                outcome = r.outcome;
                if (!keepAlive || !r.persistent) {
                    socket.close();
                    socket = null;
                }
            } catch (ConnectException e) {
                outcome = "connect";
                socket = closeQuietly(socket);
            } catch (SocketTimeoutException e) {
                outcome = "timeout";
                socket = closeQuietly(socket);
            } catch (IOException e) {
                outcome = "reset";
                socket = closeQuietly(socket);
            }
            long end = System.nanoTime();
            log.append(epochOffsetMicros + start / 1000).append(' ').append((end - start) / 1000).append(' ')
                    .append(outcome).append('\n');
            if (outcome.equals("connect")) {
                sleepQuietly(); // the port is not served: do not spin
            }
        }
        closeQuietly(socket);
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
            int n = in.read(buf, len, buf.length - len);
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

    private static void sleepQuietly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
