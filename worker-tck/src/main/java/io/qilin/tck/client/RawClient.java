package io.qilin.tck.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * What the kinds' own tests send over a plain socket, byte for byte: shared so that each kind's tests
 * do not carry a copy. Not part of the conformance checks.
 */
public final class RawClient {
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final int SMALL_RECEIVE_BUFFER = 64 * 1024;

    private RawClient() {
    }

    /** ISO-8859-1 bytes: what a raw HTTP/1.1 head is. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends each part in a write of its own, then reads until the server closes; the body of the answer,
     * the whole text when it has no head, or "" when the connection closed unanswered.
     */
    public static String body(int port, byte[]... parts) throws IOException {
        String response = exchange(port, parts);
        int body = response.indexOf("\r\n\r\n");
        return body < 0 ? response : response.substring(body + 4);
    }

    /** Sends each part in a write of its own, then reads until the server closes; everything read. */
    public static String exchange(int port, byte[]... parts) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
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
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * A client that will not read: its receive buffer is fixed small before it connects, as Linux would
     * otherwise grow it (tcp_rmem) until a whole large response fits in the kernel.
     */
    public static Socket notReading(int port, String sent) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(SMALL_RECEIVE_BUFFER);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(READ_TIMEOUT_MILLIS);
        s.getOutputStream().write(ascii(sent));
        s.getOutputStream().flush();
        return s;
    }

    /** A PROXY protocol v2 header for TCP over IPv4 from {@code a.b.c.d:port} to 127.0.0.1:8000. */
    public static byte[] proxyV2Tcp4(int a, int b, int c, int d, int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0, 12});
        out.writeBytes(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d, 127, 0, 0, 1});
        out.writeBytes(new byte[] {(byte) (port >> 8), (byte) port, 0x1f, 0x40});
        return out.toByteArray();
    }
}
