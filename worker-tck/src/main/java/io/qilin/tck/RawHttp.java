package io.qilin.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 over a plain socket, so the kit controls each byte and each connection. */
final class RawHttp {
    private static final int READ_TIMEOUT_MILLIS = 60_000;

    private RawHttp() {
    }

    /** An answer: the status, -1 when the connection closed without one; the whole text as read. */
    static final class Response {
        final int status;
        final String text;

        Response(int status, String text) {
            this.status = status;
            this.text = text;
        }

        String body() {
            int i = text.indexOf("\r\n\r\n");
            return i < 0 ? "" : text.substring(i + 4);
        }

        @Override
        public String toString() {
            return status < 0 ? "no response (connection closed)" : text.lines().findFirst().orElse("");
        }
    }

    /** A GET with {@code Connection: close}, answered. */
    static Response get(int port, String target) throws IOException {
        try (Socket s = send(port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")) {
            return read(s);
        }
    }

    /** Connects and writes {@code request}; the answer is read later with {@link #read}. */
    static Socket send(int port, String request) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Reads until the server closes the connection. */
    static Response read(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                all.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            if (all.size() == 0) {
                throw reset;
            }
        }
        String text = all.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.")) {
            return new Response(-1, text);
        }
        String[] line = text.split("\r\n", 2)[0].split(" ");
        return new Response(line.length > 1 ? Integer.parseInt(line[1]) : -1, text);
    }
}
