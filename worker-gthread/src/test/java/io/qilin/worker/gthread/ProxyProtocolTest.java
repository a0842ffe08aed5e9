package io.qilin.worker.gthread;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --proxy-protocol on gthread (Undertow's decoder): the client the header names, or a closed connection. */
class ProxyProtocolTest {
    private static final String REQUEST = "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    private static final String V1 = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n";

    @Test
    void theHeaderNamesTheClient() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true))) {
            assertThat(exchange(w.port, ascii(V1 + REQUEST))).isEqualTo("203.0.113.7");
            assertThat(exchange(w.port, ascii("PROXY TCP6 2001:db8::7 ::1 51"), ascii("234 8000\r\n" + REQUEST)))
                    .isEqualTo("2001:db8:0:0:0:0:0:7");
            assertThat(exchange(w.port, v2Tcp4(198, 51, 100, 9, 4000), ascii(REQUEST))).isEqualTo("198.51.100.9");
        }
    }

    @Test
    void noHeaderAMalformedOneOrADisallowedPeerIsClosedUnanswered() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true))) {
            assertThat(exchange(w.port, ascii(REQUEST))).isEmpty();
            assertThat(exchange(w.port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n" + REQUEST))).isEmpty();
            assertThat(exchange(w.port, ascii("PROXY TCP4 example.com 127.0.0.1 51234 8000\r\n" + REQUEST))).isEmpty();
            assertThat(exchange(w.port, ascii(V1 + REQUEST))).as("still serving").isEqualTo("203.0.113.7");
        }
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true, "PROXY_ALLOW_IPS", "10.0.0.0/8"))) {
            assertThat(exchange(w.port, ascii(V1 + REQUEST))).isEmpty();
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true, "HEADER_TIMEOUT", 1))) {
            assertThat(exchange(w.port)).isEmpty(); // returns only once the worker closed the connection
        }
    }

    /** Sends each part in a write of its own, then reads until the server closes; the body, or "" for none. */
    static String exchange(int port, byte[]... parts) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(RawHttpClient.READ_TIMEOUT_MILLIS);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                for (byte[] part : parts) {
                    s.getOutputStream().write(part);
                    s.getOutputStream().flush();
                }
                s.getInputStream().transferTo(got);
            } catch (java.net.SocketException reset) {
                // closed before our bytes were all sent or read: a reset or a broken pipe, which is a close too
            }
            String response = got.toString(StandardCharsets.ISO_8859_1);
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? response : response.substring(body + 4);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] v2Tcp4(int a, int b, int c, int d, int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12});
        out.writeBytes(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d, 127, 0, 0, 1});
        out.writeBytes(new byte[] {(byte) (port >> 8), (byte) port, 0x1f, 0x40});
        return out.toByteArray();
    }
}
