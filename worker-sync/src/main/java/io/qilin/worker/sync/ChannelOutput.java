package io.qilin.worker.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The response side of a non-blocking connection, written from the request thread: a write that
 * cannot go out waits for the socket to drain, at most {@code timeoutMillis} without progress, then
 * fails with a {@link WriteTimeoutException}. Each bit of progress while waiting beats the heart, so a
 * slow but reading client never gets the worker aborted; a client that stops reading gets cut.
 */
final class ChannelOutput extends OutputStream {
    private final SocketChannel channel;
    private final Selector waiter;
    private final long timeoutMillis;
    private final Runnable heartbeat;

    ChannelOutput(SocketChannel channel, Selector waiter, long timeoutMillis, Runnable heartbeat) {
        this.channel = channel;
        this.waiter = waiter;
        this.timeoutMillis = timeoutMillis;
        this.heartbeat = heartbeat;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) {
                awaitWritable();
            }
        }
    }

    private void awaitWritable() throws IOException {
        SelectionKey key = channel.keyFor(waiter);
        if (key == null) {
            key = channel.register(waiter, SelectionKey.OP_WRITE);
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            waiter.selectedKeys().clear();
            if (waiter.select(timeoutMillis) > 0) {
                heartbeat.run();
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new WriteTimeoutException(timeoutMillis);
            }
        }
    }

    @Override
    public void close() {
        // the connection is closed by whoever owns it
    }

    /** The client read nothing of the response for the write timeout. */
    static final class WriteTimeoutException extends SocketTimeoutException {
        private static final long serialVersionUID = 1L;

        WriteTimeoutException(long millis) {
            super("the client read nothing of the response for " + millis + " ms (--write-timeout)");
        }
    }
}
