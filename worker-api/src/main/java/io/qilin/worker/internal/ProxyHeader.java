package io.qilin.worker.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HAProxy's PROXY protocol header, which a proxy sends before anything else on a connection to name
 * the client it came from: version 1 (a text line, {@code PROXY TCP4 src dst sport dport\r\n}) and
 * version 2 (binary: a 12-byte signature, then command, family and length). Only TCP over IPv4 or
 * IPv6 names a client; {@code PROXY UNKNOWN}, a v2 {@code LOCAL} command (a health check) and the v2
 * {@code UNSPEC} family keep the connection's own peer. Anything else is malformed.
 */
public final class ProxyHeader {
    /** The longest v1 line, CRLF included (the specification's 107 bytes). */
    static final int V1_MAX = 107;
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int V2_FIXED = 16;

    /** A header read whole: its length in bytes, and the client it names, or null to keep the peer. */
    public record Parsed(int length, InetSocketAddress client) {
    }

    /** A connection that does not start with a well-formed PROXY header. */
    public static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super("malformed PROXY protocol header: " + message);
        }
    }

    private ProxyHeader() {
    }

    /**
     * Parses the header at the start of {@code buf[0..len)}: null while more bytes are needed.
     *
     * @throws MalformedException when these bytes cannot begin a valid header
     */
    public static Parsed parse(byte[] buf, int len) throws MalformedException {
        if (len == 0) {
            return null;
        }
        if (buf[0] == V2_SIGNATURE[0]) {
            return parseV2(buf, len);
        }
        return parseV1(buf, len);
    }

    /**
     * Reads the header from a blocking stream, never past its end (what follows, a TLS handshake or a
     * request, stays unread).
     */
    public static Parsed read(InputStream in) throws IOException {
        byte[] buf = new byte[V2_FIXED];
        int len = 0;
        while (true) {
            Parsed parsed = parse(buf, len);
            if (parsed != null) {
                return parsed;
            }
            int wanted = len + safeToRead(buf, len);
            if (wanted > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(wanted, buf.length * 2));
            }
            int n = in.read(buf, len, wanted - len);
            if (n < 0) {
                throw new EOFException("the connection closed within its PROXY protocol header");
            }
            len += n;
        }
    }

    /** How many more bytes belong to the header for sure: one at a time for v1, whole blocks for v2. */
    private static int safeToRead(byte[] buf, int len) {
        if (len == 0 || buf[0] != V2_SIGNATURE[0]) {
            return 1;
        }
        if (len < V2_FIXED) {
            return V2_FIXED - len;
        }
        return V2_FIXED + v2Length(buf) - len;
    }

    private static Parsed parseV1(byte[] buf, int len) throws MalformedException {
        for (int i = 0; i < Math.min(len, V1_PREFIX.length); i++) {
            if (buf[i] != V1_PREFIX[i]) {
                throw new MalformedException("the connection does not start with one");
            }
        }
        int lf = -1;
        for (int i = 0; i < Math.min(len, V1_MAX); i++) {
            if (buf[i] == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            if (len >= V1_MAX) {
                throw new MalformedException("a v1 line longer than " + V1_MAX + " bytes");
            }
            return null;
        }
        if (lf == 0 || buf[lf - 1] != '\r') {
            throw new MalformedException("a v1 line not ended by CRLF");
        }
        String line = new String(buf, 0, lf - 1, StandardCharsets.US_ASCII);
        String[] parts = line.split(" ", -1);
        if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
            return new Parsed(lf + 1, null);
        }
        if (parts.length != 6 || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
            throw new MalformedException("'" + line + "' is not PROXY TCP4|TCP6 src dst sport dport");
        }
        boolean v6 = parts[1].equals("TCP6");
        InetAddress source = v1Address(parts[2], v6);
        v1Address(parts[3], v6);
        int sourcePort = v1Port(parts[4]);
        v1Port(parts[5]);
        return new Parsed(lf + 1, new InetSocketAddress(source, sourcePort));
    }

    private static InetAddress v1Address(String text, boolean v6) throws MalformedException {
        boolean literal = v6 ? text.contains(":") && text.matches("[0-9A-Fa-f:.]+")
                : text.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
        try {
            InetAddress a = literal ? InetAddress.getByName(text) : null; // a literal: no lookup
            if (a != null && (a.getAddress().length == 16) == v6) {
                return a;
            }
        } catch (UnknownHostException e) {
            // below
        }
        throw new MalformedException("'" + text + "' is not an " + (v6 ? "IPv6" : "IPv4") + " address");
    }

    private static int v1Port(String text) throws MalformedException {
        if (text.matches("0|[1-9]\\d{0,4}") && Integer.parseInt(text) <= 65535) {
            return Integer.parseInt(text);
        }
        throw new MalformedException("'" + text + "' is not a port");
    }

    private static Parsed parseV2(byte[] buf, int len) throws MalformedException {
        for (int i = 0; i < Math.min(len, V2_SIGNATURE.length); i++) {
            if (buf[i] != V2_SIGNATURE[i]) {
                throw new MalformedException("the connection does not start with one");
            }
        }
        if (len < V2_FIXED) {
            return null;
        }
        int versionAndCommand = buf[12] & 0xff;
        if (versionAndCommand >> 4 != 2) {
            throw new MalformedException("version " + (versionAndCommand >> 4) + ", not 2");
        }
        int command = versionAndCommand & 0x0f;
        if (command > 1) {
            throw new MalformedException("command " + command + ", neither LOCAL nor PROXY");
        }
        int total = V2_FIXED + v2Length(buf);
        if (len < total) {
            return null;
        }
        int family = buf[13] & 0xff;
        if (command == 0 || family == 0x00) {
            return new Parsed(total, null); // LOCAL (the proxy's own health check) or UNSPEC: the peer stays
        }
        int addressBytes = family == 0x11 ? 4 : family == 0x21 ? 16 : -1;
        if (addressBytes < 0) {
            throw new MalformedException(String.format("family and protocol 0x%02x, not TCP over IPv4 or IPv6", family));
        }
        if (total - V2_FIXED < 2 * addressBytes + 4) {
            throw new MalformedException("an address block shorter than its family needs");
        }
        try {
            InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(buf, V2_FIXED, V2_FIXED + addressBytes));
            int portAt = V2_FIXED + 2 * addressBytes;
            int port = ((buf[portAt] & 0xff) << 8) | (buf[portAt + 1] & 0xff);
            return new Parsed(total, new InetSocketAddress(source, port));
        } catch (UnknownHostException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    private static int v2Length(byte[] buf) {
        return ((buf[14] & 0xff) << 8) | (buf[15] & 0xff);
    }
}
