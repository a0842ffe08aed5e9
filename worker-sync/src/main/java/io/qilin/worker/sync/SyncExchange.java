package io.qilin.worker.sync;

import com.sun.net.httpserver.Headers;
import io.qilin.worker.PortableExchange;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;

/**
 * The portable exchange on a sync connection: the response always carries {@code Connection: close};
 * a body of unknown length is chunked for HTTP/1.1 clients and delimited by the close for HTTP/1.0.
 */
final class SyncExchange extends PortableExchange {
    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "upgrade", "proxy-connection", "te", "trailer");

    private final boolean http11;
    private final OutputStream out;

    SyncExchange(String method, URI uri, ProtocolVersion version, Headers headers, InputStream body,
            InetSocketAddress local, InetSocketAddress remote, OutputStream out, javax.net.ssl.SSLSession tls) {
        super(method, uri, version.toString(), headers, body, local, remote);
        setSslSession(tls);
        this.http11 = version.greaterEquals(HttpVersion.HTTP_1_1);
        this.out = out;
    }

    @Override
    protected OutputStream openResponse(int code, long length, Headers headers) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(code).append(' ').append(RequestHandler.reason(code)).append("\r\n");
        head.append("Server: qilin\r\n");
        if (!headers.containsKey("Date")) {
            head.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
                    .append("\r\n");
        }
        head.append("Connection: close\r\n");
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (HOP_BY_HOP.contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            for (String v : e.getValue()) {
                checkHeader(e.getKey(), v);
                head.append(e.getKey()).append(": ").append(v).append("\r\n");
            }
        }
        boolean chunked = length == UNKNOWN_LENGTH && http11;
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        } else if (chunked) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else if (length == -1 && code >= 200 && code != 204 && code != 304 && !"HEAD".equals(getRequestMethod())) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        return chunked ? new Chunked(out) : new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    private static void checkHeader(String name, String value) throws IOException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IOException("invalid response header " + name + ": control character in the value");
            }
        }
    }

    /** Chunked transfer coding for a response of unknown length. */
    private static final class Chunked extends FilterOutputStream {
        private boolean closed;

        Chunked(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b, off, len);
            out.write(CRLF);
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }

        private static final byte[] CRLF = {'\r', '\n'};
    }
}
