package io.qilin.worker.gthread;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Sends raw HTTP/1.x bytes over one connection and reads the responses, as a strict test client would. */
final class RawHttpClient implements AutoCloseable {
    /** How long any single read may wait; a test's deadline, not a measured timing. */
    static final int READ_TIMEOUT_MILLIS = 15_000;

    /** A response: status, headers in order (names lower case), body (chunks already joined). */
    record Response(int status, List<String[]> headers, String body) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equals(name.toLowerCase(Locale.ROOT))) {
                    return h[1];
                }
            }
            return null;
        }

        boolean closes() {
            String c = header("connection");
            return c != null && c.equalsIgnoreCase("close");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttpClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawHttpClient send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    Response get(String path) throws IOException {
        return send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
    }

    /** Reads one response; throws EOFException if the server closed the connection instead. */
    Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim()});
        }
        Response head = new Response(status, headers, "");
        String length = head.header("content-length");
        String body;
        if (status < 200 || status == 204 || status == 304) {
            body = "";
        } else if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line().trim(), 16); n > 0; n = Integer.parseInt(line().trim(), 16)) {
                b.write(in.readNBytes(n));
                line();
            }
            for (String l = line(); l != null && !l.isEmpty(); l = line()) {
                // trailers
            }
            body = b.toString(StandardCharsets.ISO_8859_1);
        } else if (length != null) {
            body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.ISO_8859_1);
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        return new Response(status, headers, body);
    }

    /** Bytes of response already received and not read. */
    int available() throws IOException {
        return in.available();
    }

    /** Waits until the server closes the connection: true on EOF or reset, false if it stays open. */
    boolean awaitClosedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
