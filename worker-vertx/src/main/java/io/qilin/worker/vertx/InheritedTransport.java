package io.qilin.worker.vertx;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.unix.DomainSocketAddress;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.protocol.FileDescriptors;
import io.qilin.worker.internal.ProxyProtocol;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Native epoll for everything, except that the server channels Vert.x asks for first are this worker's
 * inherited listening sockets, handed out once each in listener order. They are already bound and
 * listening, so Vert.x's own {@code bind()} on them is dropped. They accept nothing until
 * {@link #startAccepting()}, and their pipelines cap the connections this worker holds at
 * {@code --worker-connections}; with {@code --proxy-protocol}, close a connection from a peer not in
 * {@code --proxy-allow-from} before Vert.x's PROXY decoder (or anything else) reads from it; and put
 * Qilin's request rules in front of Vert.x's HTTP decoder ({@link CheckedRequests}).
 */
final class InheritedTransport implements Transport {
    /** An inherited socket and the address Vert.x must ask for to get it. */
    record Inherited(ServerChannel channel, SocketAddress address, ListenerSpec spec) {
        /** The address to give {@code HttpServer.listen}. */
        io.vertx.core.net.SocketAddress listenAddress() {
            if (address instanceof DomainSocketAddress) {
                return io.vertx.core.net.SocketAddress.domainSocketAddress(((DomainSocketAddress) address).path());
            }
            return io.vertx.core.net.SocketAddress.inetSocketAddress((InetSocketAddress) address);
        }
    }

    private final Transport base = Transport.EPOLL;
    private final List<Inherited> inherited;
    private final Deque<Inherited> unclaimedTcp = new ArrayDeque<>();
    private final Deque<Inherited> unclaimedUnix = new ArrayDeque<>();
    private final ConnectionLimit limit;
    private final ProxyProtocol proxyProtocol;
    /** Whether Vert.x serves HTTP/2 here: the request rules then let HTTP/2's preface through. */
    private final boolean http2;
    private final Spi spi = new Spi(base.implementation());
    private volatile boolean accepting;

    private InheritedTransport(List<Inherited> inherited, int maxConnections, ProxyProtocol proxyProtocol,
            boolean http2) {
        this.http2 = http2;
        this.inherited = inherited;
        this.proxyProtocol = proxyProtocol;
        this.limit = new ConnectionLimit(maxConnections);
        for (Inherited i : inherited) {
            (i.address() instanceof DomainSocketAddress ? unclaimedUnix : unclaimedTcp).add(i);
        }
    }

    /** Wraps the listeners' sockets in native epoll channels. */
    static InheritedTransport adopt(List<Listener> listeners, int maxConnections, ProxyProtocol proxyProtocol,
            boolean http2)
            throws IOException {
        Epoll.ensureAvailability(); // the JNI must be loaded before a channel wraps an fd
        List<Inherited> inherited = new ArrayList<>();
        for (Listener l : listeners) {
            // In-process (tests, embedding) the listener is a channel this JVM bound: use its own fd.
            int fd = l.fd() >= 0 ? l.fd() : FileDescriptors.fdOf(l.channel());
            if (l.spec().family() == ListenerSpec.Family.UNIX) {
                // active: it is listening already (the TCP constructor finds that out by itself)
                inherited.add(new Inherited(new EpollServerDomainSocketChannel(fd, true),
                        new DomainSocketAddress(l.spec().address()), l.spec()));
            } else {
                EpollServerSocketChannel ch = new EpollServerSocketChannel(fd);
                inherited.add(new Inherited(ch, ch.localAddress(), l.spec()));
            }
        }
        for (Inherited i : inherited) {
            // Vert.x 5.2 binds before it registers the event loops that take connections; an
            // already-listening socket would accept in between, and Vert.x would drop those connections.
            i.channel().config().setAutoRead(false);
        }
        return new InheritedTransport(inherited, maxConnections, proxyProtocol, http2);
    }

    List<Inherited> inherited() {
        return inherited;
    }

    /** Once every server is listening: take connections from the sockets. */
    void startAccepting() {
        accepting = true;
        limit.updateAccepting();
    }

    /** Graceful stop, step one: close this process's copy of each socket; the master and siblings keep the queue. */
    void stopAccepting() {
        accepting = false;
        for (Inherited i : inherited) {
            i.channel().close().awaitUninterruptibly(1000);
        }
    }

    /** Connections accepted and not closed yet. */
    int openConnections() {
        return limit.open.get();
    }

    @Override
    public String name() {
        return base.name() + "+inherited";
    }

    @Override
    public boolean available() {
        return base.available();
    }

    @Override
    public Throwable unavailabilityCause() {
        return base.unavailabilityCause();
    }

    @Override
    public io.vertx.core.spi.transport.Transport implementation() {
        return spi;
    }

    private synchronized ServerChannel claim(boolean domainSocket) {
        Inherited next = (domainSocket ? unclaimedUnix : unclaimedTcp).poll();
        if (next == null) {
            return null;
        }
        next.channel().pipeline().addLast(new SkipBind(next), limit);
        return next.channel();
    }

    /** Vert.x always binds the channel it listens on; an inherited one is bound already. */
    private static final class SkipBind extends ChannelOutboundHandlerAdapter {
        private final Inherited inherited;

        SkipBind(Inherited inherited) {
            this.inherited = inherited;
        }

        @Override
        public void bind(ChannelHandlerContext ctx, SocketAddress requested, ChannelPromise promise) {
            ctx.pipeline().remove(this);
            if (sameAddress(requested, inherited.address())) {
                promise.setSuccess();
            } else {
                promise.setFailure(new BindException("inherited socket " + inherited.spec() + " is "
                        + inherited.address() + ", but Vert.x asked for " + requested));
            }
        }

        private static boolean sameAddress(SocketAddress requested, SocketAddress actual) {
            if (requested instanceof InetSocketAddress && actual instanceof InetSocketAddress) {
                return ((InetSocketAddress) requested).getPort() == ((InetSocketAddress) actual).getPort();
            }
            return requested.equals(actual);
        }
    }

    /**
     * Caps the connections this worker holds. At the cap it stops accepting, leaving new connections
     * in the shared queue for its siblings (as Gunicorn's gevent worker does); a connection accepted
     * past the cap anyway (one accept batch) is closed.
     */
    @ChannelHandler.Sharable
    private final class ConnectionLimit extends ChannelInboundHandlerAdapter {
        private final int max;
        private final AtomicInteger open = new AtomicInteger();

        ConnectionLimit(int max) {
            this.max = max > 0 ? max : Integer.MAX_VALUE;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            if (!proxyProtocol.accepts(child.remoteAddress())) {
                child.unsafe().closeForcibly();
                return;
            }
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                child.unsafe().closeForcibly();
                return;
            }
            child.closeFuture().addListener(f -> {
                open.decrementAndGet();
                updateAccepting();
            });
            updateAccepting();
            CheckedRequests.install(child, http2);
            ctx.fireChannelRead(child);
        }

        synchronized void updateAccepting() {
            boolean accept = accepting && open.get() < max;
            for (Inherited i : inherited) {
                if (i.channel().config().isAutoRead() != accept) {
                    i.channel().config().setAutoRead(accept);
                }
            }
        }
    }

    /** Vert.x's EPOLL transport, but server channels come from {@link #claim} while any are left. */
    private final class Spi implements io.vertx.core.spi.transport.Transport {
        private final io.vertx.core.spi.transport.Transport d;

        Spi(io.vertx.core.spi.transport.Transport d) {
            this.d = d;
        }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            ChannelFactory<? extends ServerChannel> normal = d.serverChannelFactory(domainSocket);
            return () -> {
                ServerChannel ch = claim(domainSocket);
                return ch != null ? ch : normal.newChannel();
            };
        }

        @Override
        public boolean supportsDomainSockets() {
            return d.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return d.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return d.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return d.unavailabilityCause();
        }

        @Override
        public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
            return d.convert(address);
        }

        @Override
        public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
            return d.convert(address);
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return d.ioHandlerFactory();
        }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
            return d.eventLoopGroup(type, threads, factory, ioRatio);
        }

        @Override
        @SuppressWarnings("deprecation") // the SPI still names Netty's InternetProtocolFamily
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return d.datagramChannel(family);
        }

        @Override
        public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
            return d.datagramChannelFactory();
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return d.channelFactory(domainSocket);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) {
            d.configure(channel, options);
        }

        @Override
        public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
            d.configure(config, domainSocket, bootstrap);
        }

        @Override
        public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
            d.configure(config, domainSocket, bootstrap);
        }
    }
}
