package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * --proxy-protocol on every kind, with real v1 and v2 headers over a socket: the client the header names
 * is the application's remote address and the access log's %(h)s; a malformed header, none at all, or a
 * peer not in --proxy-allow-from gets its connection closed with no response.
 */
class ProxyProtocolIT {
    private static final String WHOAMI = "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    private static final String V1 = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n";
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void theHeaderNamesTheClientAndBadOnesAreClosedUnanswered(String kind) throws Exception {
        Path access = dir.resolve("access.log");
        try (Qilin q = Qilin.serving(kind, 1, "--proxy-protocol", "--access-logfile", access.toString(),
                "--access-logformat", "%(h)s \"%(r)s\" %(s)s")) {
            assertThat(exchange(q.port, ascii(V1 + WHOAMI))).isEqualTo("203.0.113.7 http");
            assertThat(exchange(q.port, ascii("PROXY TCP6 2001:db8::7 ::1 443 8000\r\n" + WHOAMI)))
                    .isEqualTo("2001:db8:0:0:0:0:0:7 http");
            assertThat(exchange(q.port, v2(0x21, 0x11, tcp4(198, 51, 100, 9)), ascii(WHOAMI))).isEqualTo("198.51.100.9 http");
            assertThat(exchange(q.port, v2(0x20, 0x00, new byte[0]), ascii(WHOAMI)))
                    .as("v2 LOCAL (a health check): the peer itself").isEqualTo("127.0.0.1 http");
            // the client a header names is trusted for X-Forwarded-* only if it is in --forwarded-allow-ips
            assertThat(exchange(q.port, ascii("PROXY UNKNOWN\r\nGET /whoami HTTP/1.1\r\nHost: x\r\n"
                    + "X-Forwarded-Protocol: ssl\r\nConnection: close\r\n\r\n"))).isEqualTo("127.0.0.1 https");
            assertThat(exchange(q.port, ascii(V1 + "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n"
                    + "Connection: close\r\n\r\n"))).isEqualTo("203.0.113.7 http");

            assertThat(exchange(q.port, ascii(WHOAMI))).as("no header").isEmpty();
            assertThat(exchange(q.port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n" + WHOAMI))).as("v1, a field short").isEmpty();
            // not 203.0.113.300: Undertow (gthread) reads an octet over 255 modulo 256
            assertThat(exchange(q.port, ascii("PROXY TCP4 example.com 127.0.0.1 51234 8000\r\n" + WHOAMI))).as("v1, a name").isEmpty();
            assertThat(exchange(q.port, v2(0x31, 0x11, tcp4(198, 51, 100, 9)), ascii(WHOAMI))).as("v2, version 3").isEmpty();
            byte[] badSignature = v2(0x21, 0x11, tcp4(198, 51, 100, 9));
            badSignature[8] = 'X';
            assertThat(exchange(q.port, badSignature, ascii(WHOAMI))).as("v2, a bad signature").isEmpty();

            assertThat(exchange(q.port, ascii(V1 + WHOAMI))).as("still serving").isEqualTo("203.0.113.7 http");
            await().atMost(Qilin.BOOT).until(() -> Files.exists(access)
                    && Files.readString(access).contains("198.51.100.9 \"GET /whoami HTTP/1.1\" 200"));
            assertThat(Files.readString(access)).contains("203.0.113.7 \"GET /whoami HTTP/1.1\" 200")
                    .doesNotContain("127.0.0.1 \"GET /whoami HTTP/1.1\" 400");
            assertThat(q.workerPids()).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void aPeerNotAllowedIsClosedUnanswered(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--proxy-protocol", "--proxy-allow-from", "10.0.0.0/8, 192.0.2.1")) {
            assertThat(exchange(q.port, ascii(V1 + WHOAMI))).isEmpty();
            assertThat(exchange(q.port, v2(0x21, 0x11, tcp4(198, 51, 100, 9)), ascii(WHOAMI))).isEmpty();
            assertThat(exchange(q.port, ascii(WHOAMI))).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void secureSchemeHeadersFromATrustedFrontEnd(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--secure-scheme-headers", "X-FORWARDED-PROTOCOL=ssl,X-Scheme=https")) {
            assertThat(Http.send(q.port, "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-Protocol: ssl\r\n"
                    + "Connection: close\r\n\r\n").body).isEqualTo("127.0.0.1 https");
            assertThat(Http.send(q.port, "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Scheme: https\r\n"
                    + "Connection: close\r\n\r\n").body).isEqualTo("127.0.0.1 https");
            assertThat(Http.send(q.port, "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n"
                    + "Connection: close\r\n\r\n").body).as("not one of the headers given").isEqualTo("127.0.0.1 http");
            assertThat(Http.get(q.port, "/whoami").body).isEqualTo("127.0.0.1 http");
        }
    }

    /** With --certfile the header comes first, in the clear, then the TLS handshake (as HAProxy sends it). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void theHeaderComesBeforeTheTlsHandshake(String kind) throws Exception {
        TestCertificate certificate = TestCertificate.makeIn(dir);
        try (Qilin q = Qilin.serving(kind, 1, "--proxy-protocol", "--certfile", certificate.cert().toString(),
                "--keyfile", certificate.key().toString())) {
            SSLContext trustAll = TestCertificate.trustingAnyServer();
            for (byte[] header : new byte[][] {ascii(V1), v2(0x21, 0x11, tcp4(198, 51, 100, 9))}) {
                try (Socket plain = new Socket()) {
                    plain.connect(new InetSocketAddress("127.0.0.1", q.port), Http.TIMEOUT_MILLIS);
                    plain.setSoTimeout(Http.TIMEOUT_MILLIS);
                    plain.getOutputStream().write(header);
                    plain.getOutputStream().flush();
                    try (SSLSocket tls = (SSLSocket) trustAll.getSocketFactory().createSocket(plain, "localhost", q.port, true)) {
                        tls.startHandshake();
                        tls.getOutputStream().write(ascii(WHOAMI));
                        tls.getOutputStream().flush();
                        assertThat(Http.parse(tls.getInputStream()).body)
                                .isEqualTo(header.length == V1.length() ? "203.0.113.7 https" : "198.51.100.9 https");
                    }
                }
            }
        }
    }

    /**
     * The real thing: HAProxy (Debian's package, as HaproxyRollingUpdateIT) in TCP mode in front, one
     * frontend sending v1 ({@code send-proxy}) and one v2 ({@code send-proxy-v2}). The client connects
     * from 127.0.0.3, HAProxy from 127.0.0.1: the application must see 127.0.0.3.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void behindHaproxySendingV1AndV2(String kind) throws Exception {
        Path haproxy = HaproxyRollingUpdateIT.haproxyOrSkip();
        int v1 = Qilin.freePort();
        int v2 = Qilin.freePort();
        try (Qilin q = Qilin.serving(kind, 1, "--proxy-protocol")) {
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, """
                    global
                        maxconn 100
                    defaults
                        mode tcp
                        timeout connect 5s
                        timeout client 30s
                        timeout server 30s
                    listen v1
                        bind 127.0.0.1:%d
                        server app 127.0.0.1:%d send-proxy
                    listen v2
                        bind 127.0.0.1:%d
                        server app 127.0.0.1:%d send-proxy-v2
                    """.formatted(v1, q.port, v2, q.port));
            Path log = Files.createDirectories(Qilin.LOGS).resolve("ProxyProtocolIT-haproxy-" + kind + ".log");
            Process lb = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                for (int port : new int[] {v1, v2}) {
                    await().atMost(Qilin.BOOT).ignoreExceptions().alias("HAProxy listening on " + port)
                            .until(() -> fromOtherAddress(port).equals("127.0.0.3 http"));
                }
            } finally {
                lb.destroy();
                lb.waitFor();
            }
        }
    }

    /** GET /whoami through {@code port}, from the local address 127.0.0.3; the body. */
    private static String fromOtherAddress(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.0.3", 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), Http.TIMEOUT_MILLIS);
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.getOutputStream().write(ascii(WHOAMI));
            s.getOutputStream().flush();
            return Http.parse(s.getInputStream()).body;
        }
    }

    /** Sends each part in a write of its own, then reads until the server closes: the body, or "" for nothing. */
    private static String exchange(int port, byte[]... parts) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), Http.TIMEOUT_MILLIS);
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                for (byte[] part : parts) {
                    s.getOutputStream().write(part);
                    s.getOutputStream().flush();
                }
                s.getInputStream().transferTo(got);
            } catch (SocketException reset) {
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

    /** A v2 header: the signature, version and command, family and protocol, the length, the address block. */
    private static byte[] v2(int versionCommand, int family, byte[] addresses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.writeBytes(new byte[] {(byte) versionCommand, (byte) family, (byte) (addresses.length >> 8), (byte) addresses.length});
        out.writeBytes(addresses);
        return out.toByteArray();
    }

    /** A TCP4 address block: this source, 127.0.0.1 as destination, ports 51234 and 8000. */
    private static byte[] tcp4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d, 127, 0, 0, 1, (byte) 0xc8, 0x22, 0x1f, 0x40};
    }
}
