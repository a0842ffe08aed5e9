package io.qilin.worker.sync;

import io.qilin.worker.internal.ProxyHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One client connection held by the {@link Reactor}: the bytes of its request received so far, its
 * framing, and the deadline by which more must come. Touched by the reactor thread until the request
 * is complete, then by the request thread alone until it hands the connection back.
 */
final class ClientConnection {
    private static final int FIRST_BUFFER = 4096;

    final SocketChannel channel;
    final RequestFraming framing;
    SelectionKey key;
    private byte[] buf = new byte[FIRST_BUFFER];
    private int len;
    private boolean continueSent;
    /** Set once an answer has gone out and the connection only waits for the client to close (or its deadline). */
    private boolean lingering;
    /** When the reactor gives up on this connection (System.nanoTime). */
    long deadline;
    /** With {@code --proxy-protocol}: true until the PROXY header has been read and taken off the buffer. */
    private boolean proxyHeaderPending;
    /** The client a PROXY header named; null for the connection's own peer. */
    private InetSocketAddress client;

    ClientConnection(SocketChannel channel, RequestFraming framing, long deadline, boolean proxyHeaderExpected) {
        this.channel = channel;
        this.framing = framing;
        this.deadline = deadline;
        this.proxyHeaderPending = proxyHeaderExpected;
    }

    boolean proxyHeaderPending() {
        return proxyHeaderPending;
    }

    /**
     * Takes the PROXY header off the front of what was received, once it is whole, and keeps the client
     * it names; returns the bytes taken, or -1 while more are needed.
     *
     * @throws ProxyHeader.MalformedException when the connection does not start with a valid header
     */
    int takeProxyHeader() throws ProxyHeader.MalformedException {
        ProxyHeader.Parsed header = ProxyHeader.parse(buf, len);
        if (header == null) {
            return -1;
        }
        System.arraycopy(buf, header.length(), buf, 0, len - header.length());
        len -= header.length();
        client = header.client();
        proxyHeaderPending = false;
        return header.length();
    }

    /** The client a PROXY header named, or null: the peer is the client. */
    InetSocketAddress client() {
        return client;
    }

    /** Appends what is in {@code from} (flipped); returns the number of bytes added. */
    int append(ByteBuffer from) {
        int n = from.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + n, (int) Math.min(Integer.MAX_VALUE - 8, buf.length * 2L)));
        }
        from.get(buf, len, n);
        len += n;
        return n;
    }

    RequestFraming.Status scan() {
        return framing.scan(buf, len);
    }

    /** Bytes received and held. */
    int length() {
        return len;
    }

    /** The request, once complete. */
    byte[] bytes() {
        return buf;
    }

    /** True when the client sent bytes after its request (pipelining): a plain close would reset the response. */
    boolean sentMoreThanTheRequest() {
        return framing.end() >= 0 && len > framing.end();
    }

    boolean continueSent() {
        return continueSent;
    }

    void continueSent(boolean sent) {
        this.continueSent = sent;
    }

    boolean lingering() {
        return lingering;
    }

    /** From now on the connection only drains what the client still sends, until it closes or {@code until}. */
    void linger(long until) {
        lingering = true;
        deadline = until;
        buf = new byte[0];
        len = 0;
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do for a connection already gone
        }
    }
}
