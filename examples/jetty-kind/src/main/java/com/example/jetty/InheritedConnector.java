package com.example.jetty;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;

/**
 * A Jetty connector over a listening socket the master bound: Jetty's {@code ServerConnector} minus the
 * bind. Not {@code ServerConnector.open(ServerSocketChannel)}: it switches the channel to blocking mode
 * until the connector starts, and O_NONBLOCK lives on the file description that the master and every
 * sibling share (contract clause C10). Here the channel stays non-blocking: one selector accepts on it.
 */
final class InheritedConnector extends AbstractNetworkConnector {
    private final ServerSocketChannel channel;
    private final Selectors selectors;
    private static final int SELECTOR_WAIT_SECONDS = 5;
    private volatile Closeable acceptor;
    /** Connections accepted and handed to a selector that are not yet among the connected end points. */
    private final Set<SelectableChannel> handedOver = ConcurrentHashMap.newKeySet();

    InheritedConnector(Server server, ServerSocketChannel channel, int selectorThreads, ConnectionFactory... factories) {
        super(server, null, null, null, 0, factories);
        this.channel = channel;
        this.selectors = new Selectors(getExecutor(), getScheduler(), selectorThreads);
        addBean(selectors, true);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        acceptor = selectors.acceptor(channel);
    }

    /** Jetty's selector threads: the heartbeat goes through each of them. */
    Collection<ManagedSelector> selectorThreads() {
        return selectors.getBeans(ManagedSelector.class);
    }

    /**
     * Stops accepting, after taking every connection already waiting in the kernel's queue: those are
     * served, not reset when the last process holding the socket closes it.
     */
    void stopAccepting() throws IOException, InterruptedException {
        acceptor.close(); // deregisters on the selector thread; until then it may accept too
        awaitSelectorThreads(); // after this no selector thread accepts, or is half-way through an accept
        for (SocketChannel waiting; (waiting = channel.accept()) != null; ) {
            accepted(waiting);
        }
    }

    /** The connections this connector still holds, those on their way to a selector included. */
    int connections() {
        return getConnectedEndPoints().size() + handedOver.size();
    }

    private void awaitSelectorThreads() throws InterruptedException {
        Collection<ManagedSelector> threads = selectorThreads();
        CountDownLatch passed = new CountDownLatch(threads.size());
        threads.forEach(t -> t.submit(selector -> passed.countDown()));
        passed.await(SELECTOR_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private void accepted(SocketChannel connection) throws IOException {
        connection.configureBlocking(false); // the connection's own flag; the listener's is untouched
        connection.socket().setTcpNoDelay(true);
        handedOver.add(connection); // the selector opens its end point later, on its own thread
        selectors.accept(connection);
    }

    @Override
    protected void accept(int acceptorID) {
        throw new UnsupportedOperationException("no acceptor threads: the selector accepts");
    }

    @Override
    public Object getTransport() {
        return channel;
    }

    @Override
    public boolean isOpen() {
        return channel != null && channel.isOpen();
    }

    /** The inherited socket's port; -1 while Jetty's constructors run (they call it before the field is set). */
    @Override
    public int getLocalPort() {
        try {
            return channel == null ? -1 : ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    private final class Selectors extends SelectorManager {
        Selectors(java.util.concurrent.Executor executor, org.eclipse.jetty.util.thread.Scheduler scheduler, int threads) {
            super(executor, scheduler, threads);
        }

        @Override
        protected void accepted(SelectableChannel connection) throws IOException {
            InheritedConnector.this.accepted((SocketChannel) connection);
        }

        @Override
        protected EndPoint newEndPoint(SelectableChannel connection, ManagedSelector selector, SelectionKey key) {
            SocketChannelEndPoint endPoint = new SocketChannelEndPoint((SocketChannel) connection, selector, key,
                    getScheduler());
            endPoint.setIdleTimeout(getIdleTimeout());
            return endPoint;
        }

        @Override
        public Connection newConnection(SelectableChannel connection, EndPoint endPoint, Object attachment) {
            return getDefaultConnectionFactory().newConnection(InheritedConnector.this, endPoint);
        }

        @Override
        protected void endPointOpened(EndPoint endPoint) {
            super.endPointOpened(endPoint);
            onEndPointOpened(endPoint);
            handedOver.remove((SelectableChannel) endPoint.getTransport());
        }

        @Override
        protected void onAcceptFailed(SelectableChannel connection, Throwable cause) {
            handedOver.remove(connection);
            super.onAcceptFailed(connection, cause);
        }

        @Override
        protected void endPointClosed(EndPoint endPoint) {
            onEndPointClosed(endPoint);
            super.endPointClosed(endPoint);
        }
    }
}
