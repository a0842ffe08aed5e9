package io.qilin.worker.sync;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Listener;
import io.qilin.worker.Tls;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
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
 * Gunicorn's sync worker: wait for a connection on any listener, serve exactly one request on it,
 * close it, repeat. The heartbeat comes from this loop, so a request that runs longer than
 * {@code --timeout} gets the worker aborted. The listeners stay non-blocking (the flag is shared with
 * the master and siblings); a busy worker is not selecting, so queued connections go to idle siblings.
 */
final class SyncWorker extends Worker {
    private static final Logger log = LoggerFactory.getLogger(SyncWorker.class);

    private final Selector selector;
    private SSLSocketFactory tls;
    private volatile boolean drainOnStop;

    SyncWorker(WorkerContext context) {
        super(context);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector", e);
        }
    }

    @Override
    protected void run() throws IOException {
        HttpHandler app = portableApp();
        if (Tls.enabled(context.config())) {
            try {
                tls = Tls.serverContext(context.config()).getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS: " + e.getMessage(), e);
            }
        }
        RequestHandler handler = new RequestHandler(context.config(), app, this::requestStarted, this::requestFinished);
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
        } finally {
            for (Listener l : context.listeners()) {
                l.channel().close();
            }
            selector.close();
        }
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
        if (tls != null) {
            // the handshake happens on the first read, within the request's time
            SSLSocket ssl = (SSLSocket) tls.createSocket(socket, null, socket.getPort(), true);
            ssl.setUseClientMode(false);
            socket = ssl;
        }
        handler.serve(socket);
        notifyAlive();
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
        selector.wakeup();
    }

    /** Wake at least every timeout/2 (as Gunicorn), and every second so a stop is noticed at once. */
    static long waitMillis(int timeoutSeconds) {
        return timeoutSeconds <= 0 ? 500 : Math.max(100, Math.min(1000, timeoutSeconds * 500L));
    }
}
