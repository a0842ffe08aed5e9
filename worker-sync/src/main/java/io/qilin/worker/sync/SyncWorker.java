package io.qilin.worker.sync;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Listener;
import io.qilin.worker.Tls;
import io.qilin.worker.WarmupListener;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.internal.ProxyHeader;
import io.qilin.worker.internal.ProxyProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gunicorn's sync worker, one request at a time and {@code Connection: close}, with Puma's reactor in
 * front: a {@link Reactor} thread reads each request whole, under the header and body deadlines, and
 * only then does the one request thread serve it. The heartbeat comes from the request thread, so a
 * request that runs longer than {@code --timeout} gets the worker aborted, and a slow client never does.
 * <p>With TLS there is no reactor yet: the request thread accepts and reads the request itself, each
 * read bounded by {@code --header-timeout} (at most half of {@code --timeout}).
 */
final class SyncWorker extends Worker {
    private static final Logger log = LoggerFactory.getLogger(SyncWorker.class);
    /** Buffered requests never take more than this share of the heap... */
    private static final int HEAP_SHARE = 4;
    /** ...nor more than 1 GiB, which keeps every offset in an int. */
    private static final long MAX_BUDGET = 1L << 30;
    /** Room for the request line and the CRLFs besides the header fields. */
    private static final int HEAD_SLACK = 8192;

    private final Selector selector;
    private final ProxyProtocol proxyProtocol;
    private volatile Reactor reactor;
    private SSLSocketFactory tls;
    private javax.net.ssl.SSLParameters tlsParameters;
    private volatile boolean drainOnStop;

    SyncWorker(WorkerContext context) {
        super(context);
        this.proxyProtocol = ProxyProtocol.fromConfig(context.config());
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector", e);
        }
    }

    @Override
    protected void run() throws Exception {
        HttpHandler app = portableApp();
        RequestHandler handler = new RequestHandler(context.config(), app, this::requestStarted, this::requestFinished);
        try {
            if (Tls.enabled(context.config())) {
                try {
                    tls = Tls.serverContext(context.config()).getSocketFactory();
                    tlsParameters = Tls.serverParameters(context.config());
                } catch (GeneralSecurityException e) {
                    throw new IOException("cannot set up TLS: " + e.getMessage(), e);
                }
                serveBlocking(handler);
            } else {
                serveFromReactor(handler);
            }
        } finally {
            for (Listener l : context.listeners()) {
                l.channel().close();
            }
            selector.close();
        }
    }

    /** The request thread: takes each complete request from the reactor and serves it. */
    private void serveFromReactor(RequestHandler handler) throws Exception {
        List<ServerSocketChannel> channels = new ArrayList<>();
        for (Listener l : context.listeners()) {
            channels.add(l.channel());
        }
        Reactor r = new Reactor(channels, limits(context.config()), proxyProtocol);
        Thread thread = new Thread(r, "qilin-reactor");
        thread.setDaemon(true);
        reactor = r;
        thread.start();
        if (!isAlive()) {
            r.stop(0, drainOnStop); // stopped before the reactor existed
        }
        long waitMillis = waitMillis(context.config().timeout());
        long writeTimeoutMillis = writeTimeoutMillis(context.config());
        while (!r.drained()) {
            notifyAlive();
            ClientConnection c = r.next(waitMillis);
            if (c == null) {
                continue;
            }
            try {
                handler.serve(new BufferedSocket(c, selector, writeTimeoutMillis, this::notifyAlive), c.client());
            } finally {
                forgetWrites(c);
                r.served(c);
            }
            notifyAlive();
        }
        thread.join(TimeUnit.SECONDS.toMillis(1));
    }

    /**
     * Deregisters a connection from the selector its response waited on: NIO closes a channel's socket
     * only once no selector holds it, so without this a closed connection would stay open.
     */
    private void forgetWrites(ClientConnection c) throws IOException {
        SelectionKey key = c.channel.keyFor(selector);
        if (key != null) {
            key.cancel();
            selector.selectNow();
        }
    }

    /** What the reactor enforces, from the settings. */
    static Reactor.Limits limits(WorkerConfig config) {
        long budget = Math.min(MAX_BUDGET, Runtime.getRuntime().maxMemory() / HEAP_SHARE);
        long body = config.limitRequestBody() <= 0 ? budget : Math.min(budget, config.limitRequestBody());
        int line = config.limitRequestLine() <= 0 ? 8190 : config.limitRequestLine();
        int fields = config.limitRequestFields() <= 0 ? 32768 : config.limitRequestFields();
        int fieldSize = config.limitRequestFieldSize() <= 0 ? 8190 : config.limitRequestFieldSize();
        long head = Math.min(MAX_BUDGET, line + (long) (fields + 1) * (fieldSize + 2) + HEAD_SLACK);
        return new Reactor.Limits(Math.max(1, config.workerConnections()),
                TimeUnit.SECONDS.toNanos(Math.max(1, config.headerTimeout())),
                TimeUnit.SECONDS.toNanos(Math.max(1, config.bodyTimeout())), (int) head, body, budget);
    }

    /** {@code --write-timeout}, but at most half the heartbeat timeout: a stuck client must never get the worker aborted. */
    static long writeTimeoutMillis(WorkerConfig config) {
        long write = TimeUnit.SECONDS.toMillis(Math.max(1, config.writeTimeout()));
        return config.timeout() > 0 ? Math.max(500, Math.min(write, config.timeout() * 500L)) : write;
    }

    /** With TLS: wait for a connection on any listener, serve one request on it, close it, repeat. */
    private void serveBlocking(RequestHandler handler) throws IOException {
        for (Listener l : context.listeners()) {
            l.channel().register(selector, SelectionKey.OP_ACCEPT);
        }
        long waitMillis = waitMillis(context.config().timeout());
        try {
            while (isAlive()) {
                notifyAlive();
                if (selector.select(waitMillis) == 0) {
                    continue;
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext() && isAlive()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    acceptAndServe((ServerSocketChannel) key.channel(), handler);
                }
            }
            if (drainOnStop) {
                serveWaiting(handler);
            }
        } catch (ClosedSelectorException stopped) {
            // closed by a stop request
        }
    }

    /** The same request handler as {@link #run()}'s, on a loopback socket of the warm-up's own. */
    @Override
    protected WarmupListener openWarmupListener() throws IOException {
        RequestHandler handler = new RequestHandler(context.config(), portableApp(), this::requestStarted, this::requestFinished);
        return WarmupListener.serving(handler::serve);
    }

    /** Serves every connection already queued on this listener, as Gunicorn's run_for_one does. */
    private void acceptAndServe(ServerSocketChannel listener, RequestHandler handler) throws IOException {
        while (isAlive()) {
            SocketChannel ch = acceptWaiting(listener);
            if (ch == null) {
                return; // a sibling took it, or the queue is empty
            }
            serve(ch, handler);
        }
    }

    /**
     * TERM: the connections the kernel has already accepted on the listeners are served before this
     * worker closes its copies, so a graceful stop resets none of them. Siblings drain the same queues.
     */
    private void serveWaiting(RequestHandler handler) throws IOException {
        for (Listener l : context.listeners()) {
            SocketChannel ch;
            while ((ch = acceptWaiting(l.channel())) != null) {
                serve(ch, handler);
            }
        }
    }

    /** The next connection the kernel has accepted on {@code listener}; null when none waits. */
    private static SocketChannel acceptWaiting(ServerSocketChannel listener) {
        try {
            return listener.accept();
        } catch (IOException e) {
            log.debug("accept failed: {}", e.toString());
            return null;
        }
    }

    /** One request on an accepted connection, which is then closed. */
    private void serve(SocketChannel ch, RequestHandler handler) throws IOException {
        ch.configureBlocking(true);
        Socket socket = ch.getRemoteAddress() instanceof java.net.UnixDomainSocketAddress
                ? new UnixSocketAdapter(ch) : ch.socket();
        InetSocketAddress client = null;
        if (proxyProtocol.enabled()) {
            try {
                client = readProxyHeader(ch, socket);
            } catch (IOException e) {
                log.debug("Closed a connection from {}: {}", ch.getRemoteAddress(), e.toString());
                socket.close();
                return;
            }
        }
        if (tls != null) {
            // the handshake happens on the first read, within the request's time
            SSLSocket ssl = (SSLSocket) tls.createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            ssl.setSSLParameters(tlsParameters);
            socket = ssl;
        }
        handler.serve(socket, client);
        notifyAlive();
    }

    /**
     * Before the TLS handshake: the peer must be allowed and send a PROXY header within the
     * {@code --header-timeout} (at most half of {@code --timeout}) of each read.
     */
    private InetSocketAddress readProxyHeader(SocketChannel ch, Socket socket) throws IOException {
        if (!proxyProtocol.accepts(ch.getRemoteAddress())) {
            throw new IOException("not in --proxy-allow-from");
        }
        WorkerConfig config = context.config();
        int seconds = config.timeout() > 0 ? Math.min(config.headerTimeout(), Math.max(1, config.timeout() / 2))
                : config.headerTimeout();
        socket.setSoTimeout(Math.max(1, seconds) * 1000);
        return ProxyHeader.read(socket.getInputStream()).client();
    }

    /** TERM also serves the connections waiting on the listeners; max-requests leaves them to the siblings. */
    @Override
    protected void handleExit() {
        drainOnStop = true;
        super.handleExit();
    }

    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        Reactor r = reactor;
        if (r != null) {
            r.stop(TimeUnit.SECONDS.toNanos(context.config().gracefulTimeout()), drainOnStop);
        }
        selector.wakeup();
    }

    /** Wake at least every timeout/2 (as Gunicorn), and every second so a stop is noticed at once. */
    static long waitMillis(int timeoutSeconds) {
        return timeoutSeconds <= 0 ? 500 : Math.max(100, Math.min(1000, timeoutSeconds * 500L));
    }
}
