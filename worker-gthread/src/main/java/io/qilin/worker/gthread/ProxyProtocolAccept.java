package io.qilin.worker.gthread;

import io.qilin.worker.internal.ProxyProtocol;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.HttpHandler;
import io.undertow.server.OpenListener;
import io.undertow.server.protocol.proxy.ProxyProtocolOpenListener;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;

/**
 * {@code --proxy-protocol} on gthread: Undertow's own PROXY v1/v2 decoder ({@link ProxyProtocolOpenListener},
 * which closes a connection without a valid header and then hands the rest, TLS first when on, to the
 * HTTP listener with the header's addresses), behind what Undertow lacks: the {@code --proxy-allow-from}
 * check at the accept, before a byte is read, and a {@code --header-timeout} for the header itself
 * (Undertow's request timeouts start only once the HTTP listener has the connection).
 */
final class ProxyProtocolAccept {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolAccept.class);

    private final ProxyProtocol proxyProtocol;
    private final OpenListener http;
    private final UndertowXnioSsl tls;
    private final OptionMap tlsOptions;
    private final long headerMillis;
    private final boolean http2;

    ProxyProtocolAccept(ProxyProtocol proxyProtocol, OpenListener http, UndertowXnioSsl tls, OptionMap tlsOptions,
            long headerMillis, boolean http2) {
        this.http2 = http2;
        this.proxyProtocol = proxyProtocol;
        this.http = http;
        this.tls = tls;
        this.tlsOptions = tlsOptions;
        this.headerMillis = headerMillis;
    }

    /** An accepted connection: closed, or on its way to the HTTP listener once its header is read. */
    void handle(StreamConnection connection) {
        if (!proxyProtocol.accepts(connection.getPeerAddress())) {
            log.debug("Closed a connection from {}: not in --proxy-allow-from", connection.getPeerAddress());
            IoUtils.safeClose(connection);
            return;
        }
        AtomicBoolean headerRead = new AtomicBoolean();
        XnioExecutor.Key deadline = connection.getIoThread().executeAfter(() -> {
            if (!headerRead.get()) {
                log.debug("Closed a connection from {}: no PROXY header within --header-timeout",
                        connection.getPeerAddress());
                IoUtils.safeClose(connection);
            }
        }, headerMillis, TimeUnit.MILLISECONDS);
        OpenListener afterHeader = new HeaderRead(http, http2, () -> {
            headerRead.set(true);
            deadline.remove();
        });
        new ProxyProtocolOpenListener(afterHeader, tls, http.getBufferPool(), tlsOptions).handleEvent(connection);
    }

    /** The HTTP listener, noting first that the header was read, with Qilin's request rules in front of it. */
    private static final class HeaderRead implements OpenListener {
        private final OpenListener delegate;
        private final Runnable onOpen;
        private final boolean http2;

        HeaderRead(OpenListener delegate, boolean http2, Runnable onOpen) {
            this.http2 = http2;
            this.delegate = delegate;
            this.onOpen = onOpen;
        }

        @Override
        public void handleEvent(StreamConnection connection) {
            onOpen.run();
            CheckedSourceConduit.install(connection, http2); // after the header and the TLS handshake's wrapping
            delegate.handleEvent(connection);
        }

        @Override
        public HttpHandler getRootHandler() {
            return delegate.getRootHandler();
        }

        @Override
        public void setRootHandler(HttpHandler rootHandler) {
            delegate.setRootHandler(rootHandler);
        }

        @Override
        public OptionMap getUndertowOptions() {
            return delegate.getUndertowOptions();
        }

        @Override
        public void setUndertowOptions(OptionMap options) {
            delegate.setUndertowOptions(options);
        }

        @Override
        public ByteBufferPool getBufferPool() {
            return delegate.getBufferPool();
        }

        @Override
        public ConnectorStatistics getConnectorStatistics() {
            return delegate.getConnectorStatistics();
        }
    }
}
