package io.qilin.worker.sync;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.Selector;

/**
 * A complete request, as the {@link Reactor} buffered it, seen by httpcore5 as a {@link Socket}:
 * reads come from memory, so the request thread never waits on a client; writes go to the
 * non-blocking channel with a deadline ({@link ChannelOutput}). Serves TCP and unix connections alike.
 */
final class BufferedSocket extends Socket {
    private final ClientConnection connection;
    private final InputStream in;
    private final OutputStream out;

    BufferedSocket(ClientConnection connection, Selector waiter, long writeTimeoutMillis, Runnable heartbeat) {
        this.connection = connection;
        this.in = new ByteArrayInputStream(connection.bytes(), 0, connection.framing.end());
        this.out = new ChannelOutput(connection.channel, waiter, writeTimeoutMillis, heartbeat);
    }

    /** True when the reactor sent {@code 100 Continue} while it waited for the body. */
    boolean continueSent() {
        return connection.continueSent();
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public void setSoTimeout(int timeout) {
        // nothing to wait for: the request is in memory, writes have their own deadline
    }

    @Override
    public int getSoTimeout() {
        return 0;
    }

    @Override
    public void setTcpNoDelay(boolean on) {
        // set by the reactor on TCP connections
    }

    @Override
    public boolean isConnected() {
        return connection.channel.isConnected();
    }

    @Override
    public boolean isClosed() {
        return !connection.channel.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return !connection.channel.isOpen();
    }

    @Override
    public boolean isOutputShutdown() {
        return !connection.channel.isOpen();
    }

    @Override
    public void shutdownOutput() throws IOException {
        connection.channel.shutdownOutput();
    }

    /** Used to reset a connection whose client stopped reading: its unsent response is dropped at once. */
    @Override
    public void setSoLinger(boolean on, int seconds) throws java.net.SocketException {
        try {
            connection.channel.setOption(java.net.StandardSocketOptions.SO_LINGER, on ? seconds : -1);
        } catch (IOException e) {
            throw new java.net.SocketException(e.getMessage());
        }
    }

    @Override
    public void shutdownInput() {
        // the request was read whole; what follows is drained by the reactor
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return inet(true);
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return inet(false);
    }

    @Override
    public int getPort() {
        SocketAddress a = inet(true);
        return a == null ? 0 : ((InetSocketAddress) a).getPort();
    }

    private SocketAddress inet(boolean remote) {
        try {
            SocketAddress a = remote ? connection.channel.getRemoteAddress() : connection.channel.getLocalAddress();
            return a instanceof InetSocketAddress ? a : null; // a unix peer has no address to report
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Ends the response. A client that sent more than its request (pipelining) gets a half-close, and the
     * reactor drains the rest before closing, so the unread bytes do not turn the close into a reset.
     */
    @Override
    public synchronized void close() throws IOException {
        if (connection.sentMoreThanTheRequest() && connection.channel.isOpen()) {
            connection.channel.shutdownOutput();
        } else {
            connection.channel.close();
        }
    }
}
