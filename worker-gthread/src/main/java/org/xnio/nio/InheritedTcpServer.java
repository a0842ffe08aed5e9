package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Serves an already bound and listening {@link ServerSocketChannel} with an NIO {@link XnioWorker}.
 * XNIO has no public way to do this: this is {@code NioXnioWorker.createTcpConnectionServer} without
 * its {@code open()} and {@code bind()}. It lives in XNIO's package to reach the package-private
 * constructors, which works on the class path (the xnio-nio jar is not sealed) and needs no JVM flag.
 * TCP only: XNIO calls {@code channel.socket()}, which unix-domain channels do not support.
 */
public final class InheritedTcpServer {
    private InheritedTcpServer() {
    }

    /**
     * Wraps the channel; accepting starts with {@code resumeAccepts()}. Takes the connection options
     * of {@code createStreamConnectionServer} ({@code TCP_NODELAY}, {@code CONNECTION_HIGH_WATER}, ...).
     */
    public static AcceptingChannel<StreamConnection> wrap(XnioWorker worker, ServerSocketChannel channel,
            ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener,
            OptionMap options) throws IOException {
        if (!(worker instanceof NioXnioWorker)) {
            throw new IllegalArgumentException("not an XNIO NIO worker: " + worker);
        }
        channel.configureBlocking(false);
        QueuedNioTcpServer2 server = new QueuedNioTcpServer2(
                new NioTcpServer((NioXnioWorker) worker, channel, options, true));
        server.setAcceptListener(acceptListener);
        return server;
    }
}
