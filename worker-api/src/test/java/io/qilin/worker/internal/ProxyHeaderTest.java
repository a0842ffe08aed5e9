package io.qilin.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {
    private static final String V1 = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n";

    @Test
    void v1NamesTheClient() throws Exception {
        byte[] b = (V1 + "GET / HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII);
        ProxyHeader.Parsed p = ProxyHeader.parse(b, b.length);
        assertThat(p.length()).isEqualTo(V1.length());
        assertThat(p.client()).isEqualTo(new InetSocketAddress("203.0.113.7", 51234));
        byte[] v6 = "PROXY TCP6 2001:db8::7 ::1 443 8000\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(ProxyHeader.parse(v6, v6.length).client()).isEqualTo(new InetSocketAddress("2001:db8::7", 443));
    }

    @Test
    void v1UnknownKeepsThePeer() throws Exception {
        byte[] b = "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(ProxyHeader.parse(b, b.length)).isEqualTo(new ProxyHeader.Parsed(15, null));
    }

    @Test
    void partialHeadersNeedMore() throws Exception {
        byte[] b = V1.getBytes(StandardCharsets.US_ASCII);
        for (int len = 0; len < b.length; len++) {
            assertThat(ProxyHeader.parse(b, len)).as("%d bytes", len).isNull();
        }
        byte[] v2 = v2(0x21, 0x11, new byte[] {(byte) 203, 0, 113, 7, 127, 0, 0, 1, (byte) 0xc8, 0x22, 0x1f, 0x40});
        for (int len = 0; len < v2.length; len++) {
            assertThat(ProxyHeader.parse(v2, len)).as("%d bytes", len).isNull();
        }
    }

    @Test
    void malformedV1() {
        for (String bad : new String[] {"GET / HTTP/1.1\r\n", "PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n",
                "PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n", "PROXY TCP4 1.2.3.999 1.2.3.4 1 2\r\n",
                "PROXY TCP4 ::1 1.2.3.4 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n",
                "PROXY TCP4 example.com 1.2.3.4 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n",
                "PROXY " + "x".repeat(120)}) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> ProxyHeader.parse(b, b.length)).as(bad)
                    .isInstanceOf(ProxyHeader.MalformedException.class);
        }
    }

    @Test
    void v2NamesTheClient() throws Exception {
        byte[] tcp4 = v2(0x21, 0x11, new byte[] {(byte) 203, 0, 113, 7, 127, 0, 0, 1, (byte) 0xc8, 0x22, 0x1f, 0x40});
        assertThat(ProxyHeader.parse(tcp4, tcp4.length))
                .isEqualTo(new ProxyHeader.Parsed(28, new InetSocketAddress("203.0.113.7", 51234)));
        byte[] addresses = new byte[36 + 5]; // and a TLV the parser skips
        addresses[0] = 0x20;
        addresses[1] = 0x01;
        addresses[2] = 0x0d;
        addresses[3] = (byte) 0xb8;
        addresses[15] = 7;
        addresses[31] = 1;
        addresses[32] = 0x01;
        addresses[33] = (byte) 0xbb;
        byte[] tcp6 = v2(0x21, 0x21, addresses);
        assertThat(ProxyHeader.parse(tcp6, tcp6.length).client()).isEqualTo(new InetSocketAddress("2001:db8::7", 443));
    }

    @Test
    void v2LocalAndUnspecKeepThePeer() throws Exception {
        byte[] local = v2(0x20, 0x00, new byte[0]);
        assertThat(ProxyHeader.parse(local, local.length)).isEqualTo(new ProxyHeader.Parsed(16, null));
        byte[] unspec = v2(0x21, 0x00, new byte[] {1, 2, 3});
        assertThat(ProxyHeader.parse(unspec, unspec.length)).isEqualTo(new ProxyHeader.Parsed(19, null));
    }

    @Test
    void malformedV2() {
        byte[][] bad = {v2(0x11, 0x11, new byte[12]), v2(0x22, 0x11, new byte[12]), v2(0x21, 0x12, new byte[12]),
            v2(0x21, 0x31, new byte[216]), v2(0x21, 0x11, new byte[4])};
        for (byte[] b : bad) {
            assertThatThrownBy(() -> ProxyHeader.parse(b, b.length)).isInstanceOf(ProxyHeader.MalformedException.class);
        }
        byte[] wrongSignature = v2(0x21, 0x11, new byte[12]);
        wrongSignature[7] = 'X';
        assertThatThrownBy(() -> ProxyHeader.parse(wrongSignature, wrongSignature.length))
                .isInstanceOf(ProxyHeader.MalformedException.class);
    }

    @Test
    void readingFromAStreamLeavesWhatFollows() throws Exception {
        byte[] v2 = v2(0x21, 0x11, new byte[] {(byte) 203, 0, 113, 7, 127, 0, 0, 1, (byte) 0xc8, 0x22, 0x1f, 0x40});
        for (byte[] header : new byte[][] {V1.getBytes(StandardCharsets.US_ASCII), v2}) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(header);
            all.write("\u0016TLS".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = new ByteArrayInputStream(all.toByteArray());
            assertThat(ProxyHeader.read(in).client()).isEqualTo(new InetSocketAddress("203.0.113.7", 51234));
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("\u0016TLS");
        }
    }

    /** A v2 header: signature, version and command, family and protocol, length, then {@code rest}. */
    static byte[] v2(int versionCommand, int family, byte[] rest) {
        byte[] out = new byte[16 + rest.length];
        System.arraycopy(ProxyHeader.V2_SIGNATURE, 0, out, 0, 12);
        out[12] = (byte) versionCommand;
        out[13] = (byte) family;
        out[14] = (byte) (rest.length >> 8);
        out[15] = (byte) rest.length;
        System.arraycopy(rest, 0, out, 16, rest.length);
        return out;
    }
}
