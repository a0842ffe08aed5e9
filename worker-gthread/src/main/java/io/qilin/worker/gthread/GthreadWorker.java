package io.qilin.worker.gthread;

import io.qilin.worker.protocol.WorkerEnv;
import io.qilin.worker.AccessLog;
import io.qilin.worker.Forwarded;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.RequestTimeouts;
import io.qilin.worker.Tls;
import io.qilin.worker.WarmupListener;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.internal.ProxyProtocol;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.OpenListener;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.nio.InheritedTcpServer;

/**
 * Gunicorn's gthread worker on Undertow: XNIO I/O threads accept and parse, requests run on
 * {@code --threads} task threads, and idle connections are kept for {@code --keep-alive} seconds.
 * <ul>
 *   <li>Applications: a portable JDK {@code HttpHandler} runs blocking on a task thread; a native
 *       {@code io.undertow.server.HttpHandler} is called as Undertow calls it, on the I/O thread, and
 *       dispatches itself when it blocks; a Jakarta Servlet application ({@link ServletApp}) is deployed on
 *       undertow-servlet, runs on the task threads, and is undeployed once the worker has drained.</li>
 *   <li>The heartbeat walks every I/O thread, so a stuck I/O thread stops it; a long request on a task
 *       thread does not.</li>
 *   <li>Stop (TERM, max-requests): accepting stops, every further response says {@code Connection: close},
 *       an HTTP/2 connection gets a GOAWAY once its streams are done ({@link Http2Connections}), and
 *       {@link #run()} returns once the open connections have closed or after {@code --graceful-timeout}.
 *       Requests already accepted are served, never refused.</li>
 *   <li>HTTP/2 ({@code --http-protocols h2}): by ALPN over TLS, else h2c by prior knowledge or
 *       {@code Upgrade: h2c}, as Undertow's builder sets it up.</li>
 * </ul>
 */
final class GthreadWorker extends Worker {
    private final AccessLog accessLog;
    private static final Logger log = LoggerFactory.getLogger(GthreadWorker.class);
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final long BEAT_MILLIS = 500;
    private static final long DRAIN_POLL_MILLIS = 100;
    /** How long a new connection may stay silent when keep-alive is off (Gunicorn waits 5 s for a first byte). */
    private static final int FIRST_REQUEST_TIMEOUT_MILLIS = 5000;

    private final int threads;
    private final int ioThreads;
    private final int keepAlive;
    private final int workerConnections;
    private final RequestChecks checks;
    private final boolean http2;
    private final Http2Connections http2Connections = new Http2Connections();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile List<AcceptingChannel<StreamConnection>> servers = List.of();
    /** Connections accepted and not yet closed: what the drain waits for and the keep-alive limit counts. */
    private final AtomicInteger openConnections = new AtomicInteger();
    /** Ends a request's bookkeeping when no access log needs its details; one for all requests. */
    private final ExchangeCompletionListener finished = (exchange, next) -> {
        requestFinished();
        next.proceed();
    };
    /** Decides, as the response goes out, whether the connection stays open; one for all requests. */
    private final ResponseCommitListener closeUnlessKept = exchange -> {
        if (!keepConnection()) {
            exchange.setPersistent(false);
        }
    };

    GthreadWorker(WorkerContext context) {
        super(context);
        this.accessLog = AccessLog.fromConfig(context.config());
        for (Listener l : context.listeners()) {
            if (l.spec().family() == ListenerSpec.Family.UNIX) {
                throw new IllegalArgumentException("the gthread worker cannot serve " + l
                        + ": XNIO's NIO server accepts TCP connections only; bind a TCP address, "
                        + "or use --worker-class sync or vertx for unix sockets");
            }
            try {
                l.channel(); // adopt the fd now: failing here is a boot error (exit 3), not a crash
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        WorkerConfig config = context.config();
        int cores = Runtime.getRuntime().availableProcessors();
        this.threads = config.threads() > 0 ? config.threads() : 2 * cores;
        this.ioThreads = Math.min(2, cores);
        this.keepAlive = Math.max(0, config.keepAlive());
        this.workerConnections = Math.max(1, config.workerConnections());
        this.checks = RequestChecks.of(config);
        this.http2 = Arrays.asList(config.get(WorkerEnv.HTTP_PROTOCOLS).split(",")).contains("h2");
    }

    @Override
    protected List<Class<?>> appTypes() {
        List<Class<?>> types = new ArrayList<>(List.of(com.sun.net.httpserver.HttpHandler.class, HttpHandler.class));
        types.addAll(ServletApp.TYPES);
        return types;
    }

    @Override
    protected void run() throws Exception {
        Object loaded = app();
        String contextPath = context.config().get(WorkerEnv.SERVLET_CONTEXT_PATH);
        ServletApp servlets = ServletApp.deploys(loaded) ? ServletApp.deploy(loaded, context.config().app(),
                contextPath.isEmpty() ? null : contextPath, context.appLoader()) : null;
        HttpHandler app = servlets != null ? servlets.handler() : application();
        XnioWorker xnio = xnio("gthread");
        try {
            OpenListener open = openListener(app, Tls.enabled(context.config()));
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CONNECTION_HIGH_WATER, workerConnections) // per listener
                    .set(Options.CONNECTION_LOW_WATER, workerConnections)
                    // XNIO gives every accepted connection these; Undertow wraps it in its timeout conduits:
                    // a read (the body) or a write (a client that does not read) without progress fails
                    .set(Options.READ_TIMEOUT, (int) TimeUnit.SECONDS.toMillis(Math.max(1, context.config().bodyTimeout())))
                    .set(Options.WRITE_TIMEOUT, (int) TimeUnit.SECONDS.toMillis(Math.max(1, context.config().writeTimeout())))
                    .getMap();
            ChannelListener<AcceptingChannel<StreamConnection>> accept = acceptor(open);
            List<AcceptingChannel<StreamConnection>> wrapped = new ArrayList<>();
            for (Listener l : context.listeners()) {
                wrapped.add(InheritedTcpServer.wrap(xnio, l.channel(), accept, socketOptions));
            }
            servers = wrapped;
            wrapped.forEach(AcceptingChannel::resumeAccepts);
            if (!isAlive()) {
                wrapped.forEach(AcceptingChannel::suspendAccepts); // stopped before the servers existed
            }
            log.debug("gthread serving {} with {} task threads, {} I/O threads", context.listeners(), threads, ioThreads);
            beat(xnio, 0);
            stopRequested.await();
            drain();
            if (servlets != null) {
                servlets.undeploy();
            }
        } finally {
            servers = List.of();
            xnio.shutdownNow();
            xnio.awaitTermination(1, TimeUnit.SECONDS);
        }
    }

    /** The application with Undertow's handlers around it, as {@link #serve} runs it. */
    private HttpHandler application() {
        Object loaded = app();
        return new HttpContinueReadHandler(loaded instanceof HttpHandler ? (HttpHandler) loaded
                : new BlockingHandler(TimedOutAnswer.watchThread(new PortableHandler(portableApp(),
                        Forwarded.fromConfig(context.config()), checks.maxBody()))));
    }

    private XnioWorker xnio(String name) throws IOException {
        return Xnio.getInstance(GthreadWorker.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, name)
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, threads)
                .set(Options.WORKER_TASK_MAX_THREADS, threads)
                .getMap());
    }

    /**
     * Undertow's HTTP/1.1 server, every request through {@link #serve}; with h2, also HTTP/2: chosen by
     * ALPN on a TLS connection, else by prior knowledge (Undertow's HTTP/1.1 parser hands the preface
     * over) or by {@code Upgrade: h2c}.
     */
    private OpenListener openListener(HttpHandler app, boolean tls) {
        DefaultByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
        OptionMap options = undertowOptions();
        HttpHandler root = exchange -> serve(exchange, app);
        HttpOpenListener http1 = new HttpOpenListener(buffers, options);
        http1.setRootHandler(http2 ? new Http2UpgradeHandler(root) : root);
        if (!http2 || !tls) {
            return http1;
        }
        AlpnOpenListener alpn = new AlpnOpenListener(buffers, options, http1);
        Http2OpenListener h2 = new Http2OpenListener(buffers, options);
        h2.setRootHandler(root);
        alpn.addProtocol(Http2OpenListener.HTTP2, h2, 10);
        return alpn;
    }

    /**
     * The same Undertow server, handlers and application as {@link #run()}'s, on an XNIO worker and a
     * loopback socket of the warm-up's own (plain HTTP), both closed when the warm-up is done.
     */
    @Override
    protected WarmupListener openWarmupListener() throws IOException {
        if (ServletApp.deploys(app())) {
            return null; // a servlet application is deployed in run(), after the warm-up
        }
        XnioWorker xnio = xnio("gthread-warmup");
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            AcceptingChannel<StreamConnection> server = InheritedTcpServer.wrap(xnio, channel,
                    ChannelListeners.openListenerAdapter(openListener(application(), false)),
                    OptionMap.create(Options.TCP_NODELAY, true));
            server.resumeAccepts();
            InetSocketAddress address = (InetSocketAddress) channel.getLocalAddress();
            return new WarmupListener() {
                @Override
                public InetSocketAddress address() {
                    return address;
                }

                @Override
                public void close() throws Exception {
                    server.close();
                    xnio.shutdownNow();
                    xnio.awaitTermination(1, TimeUnit.SECONDS);
                }
            };
        } catch (IOException | RuntimeException e) {
            channel.close();
            xnio.shutdownNow();
            throw e;
        }
    }

    private OptionMap undertowOptions() {
        OptionMap.Builder options = OptionMap.builder();
        if (http2) {
            WorkerConfig config = context.config();
            options.set(UndertowOptions.ENABLE_HTTP2, true)
                    .set(UndertowOptions.HTTP2_SETTINGS_ENABLE_PUSH, false)
                    .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, config.getInt(WorkerEnv.HTTP2_MAX_CONCURRENT_STREAMS))
                    .set(UndertowOptions.HTTP2_SETTINGS_INITIAL_WINDOW_SIZE, config.getInt(WorkerEnv.HTTP2_INITIAL_WINDOW_SIZE))
                    .set(UndertowOptions.HTTP2_SETTINGS_MAX_FRAME_SIZE, config.getInt(WorkerEnv.HTTP2_MAX_FRAME_SIZE));
            int headerList = config.getInt(WorkerEnv.HTTP2_MAX_HEADER_LIST_SIZE);
            if (headerList > 0) { // else Undertow applies MAX_HEADER_SIZE, below
                options.set(UndertowOptions.HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, headerList);
            }
        }
        return options
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, keepAlive > 0 ? keepAlive * 1000 : FIRST_REQUEST_TIMEOUT_MILLIS)
                .set(UndertowOptions.MAX_HEADER_SIZE, checks.maxHeaderSize()) // Undertow's default is 1 MiB
                .set(UndertowOptions.MAX_HEADERS, checks.maxHeaders())
                // the head must be parsed within --header-timeout of its first byte
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) TimeUnit.SECONDS.toMillis(
                        Math.max(1, context.config().headerTimeout())))
                // a long Content-Length is refused by RequestChecks, a long chunked body by LimitedBody for
                // portable applications; this backstop, one buffer later, closes the connection of a native handler's
                .set(UndertowOptions.MAX_ENTITY_SIZE, checks.maxBody() > 0 ? checks.maxBody() + BUFFER_SIZE : -1L)
                .getMap();
    }

    /**
     * Accepts like XNIO's open-listener adapter, counts the connection until it closes, and wraps it in
     * TLS first (server mode) when TLS is on. Counting here rather than with Undertow's statistics
     * ({@code ENABLE_STATISTICS}) keeps shared counters off the path of every request.
     */
    private ChannelListener<AcceptingChannel<StreamConnection>> acceptor(OpenListener open) throws IOException {
        UndertowXnioSsl tls = Tls.enabled(context.config()) ? tls() : null;
        OptionMap tlsOptions = tls == null ? OptionMap.EMPTY : tlsOptions(Tls.serverParameters(context.config()));
        ProxyProtocol proxyProtocol = ProxyProtocol.fromConfig(context.config());
        ProxyProtocolAccept proxied = proxyProtocol.enabled() ? new ProxyProtocolAccept(proxyProtocol, open, tls, tlsOptions,
                TimeUnit.SECONDS.toMillis(Math.max(1, context.config().headerTimeout())), http2) : null;
        return server -> {
            try {
                StreamConnection c = server.accept();
                if (c != null) {
                    openConnections.incrementAndGet();
                    // XNIO runs this besides Undertow's own close listener, or at once if already closed
                    c.setCloseListener(closed -> openConnections.decrementAndGet());
                    if (proxied != null) {
                        proxied.handle(c); // the request rules go in once the PROXY header is read
                    } else {
                        StreamConnection plain = tls == null ? c : tls.wrapExistingConnection(c, tlsOptions, false);
                        CheckedSourceConduit.install(plain, http2);
                        open.handleEvent(plain);
                    }
                }
            } catch (IOException e) {
                log.debug("accept failed: {}", e.toString());
            }
        };
    }

    private UndertowXnioSsl tls() throws IOException {
        try {
            return new UndertowXnioSsl(Xnio.getInstance(GthreadWorker.class.getClassLoader()), OptionMap.EMPTY,
                    Tls.serverContext(context.config()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** {@link Tls#serverParameters} as the options XNIO applies to each connection's SSLEngine. */
    private static OptionMap tlsOptions(javax.net.ssl.SSLParameters params) {
        OptionMap.Builder options = OptionMap.builder()
                .setSequence(Options.SSL_ENABLED_PROTOCOLS, params.getProtocols())
                .set(Options.SSL_CLIENT_AUTH_MODE, params.getNeedClientAuth() ? SslClientAuthMode.REQUIRED
                        : params.getWantClientAuth() ? SslClientAuthMode.REQUESTED : SslClientAuthMode.NOT_REQUESTED);
        if (params.getCipherSuites() != null) {
            options.setSequence(Options.SSL_ENABLED_CIPHER_SUITES, params.getCipherSuites());
        }
        return options.getMap();
    }

    /** The root handler, on the I/O thread: checks, bookkeeping, keep-alive, then the application. */
    private void serve(HttpServerExchange exchange, HttpHandler app) throws Exception {
        String target = target(exchange);
        int refused = checks.check(exchange, target);
        if (refused != 0) {
            refuse(exchange, refused);
            return;
        }
        String line = exchange.getRequestMethod() + " " + target + " " + exchange.getProtocol();
        requestStarted(line);
        exchange.addExchangeCompleteListener(accessLog.enabled() ? logged(target) : finished);
        RequestTimeouts timeouts = isWarmingUp() ? null : requestTimeouts();
        if (timeouts != null) {
            RequestTimeouts.Watch watch = timeouts.started(line, () -> TimedOutAnswer.send(exchange));
            watch.startedOn(Thread.currentThread());
            exchange.putAttachment(TimedOutAnswer.WATCH, watch);
            exchange.addExchangeCompleteListener((ex, next) -> {
                watch.finished();
                next.proceed();
            });
        }
        if (Http2Connections.isHttp2(exchange)) {
            http2Connections.started(exchange); // no Connection: close in HTTP/2; a GOAWAY when stopping instead
        } else {
            exchange.addResponseCommitListener(closeUnlessKept);
        }
        app.handleRequest(exchange);
    }

    /** Ends a request's bookkeeping and writes its access log line. */
    private ExchangeCompletionListener logged(String target) {
        long startNanos = System.nanoTime();
        java.time.ZonedDateTime start = java.time.ZonedDateTime.now();
        return (ex, next) -> {
            requestFinished();
            java.net.InetSocketAddress peer = ex.getSourceAddress();
            accessLog.log(new AccessLog.Entry(peer == null || peer.getAddress() == null ? null
                    : peer.getAddress().getHostAddress(), ex.getRequestMethod().toString(), target,
                    ex.getProtocol().toString(), ex.getStatusCode(), ex.getResponseBytesSent(),
                    System.nanoTime() - startNanos, start, ex.getRequestHeaders()::getFirst,
                    ex.getResponseHeaders()::getFirst));
            next.proceed();
        };
    }

    /**
     * Whether the connection may carry another request: not when stopping, with keep-alive off, or, as
     * Gunicorn's max_keepalived, when the connections would leave no room for new clients.
     */
    private boolean keepConnection() {
        return isAlive() && keepAlive > 0 && openConnections.get() < workerConnections - threads;
    }

    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        if (stopRequested.getCount() > 0) { // the first stop only: by a later one XNIO may be shut down
            servers.forEach(AcceptingChannel::suspendAccepts);
            http2Connections.stop();
            stopRequested.countDown();
        }
    }

    /** Waits until every connection has closed, or for the graceful timeout. */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(context.config().gracefulTimeout());
        do {
            // the first pause also lets connections accepted just before the stop be counted
            Thread.sleep(DRAIN_POLL_MILLIS);
        } while (openConnections.get() > 0 && System.nanoTime() < deadline);
        int left = openConnections.get();
        if (left > 0) {
            log.warn("Graceful timeout ({} s) reached; closing {} connections", context.config().gracefulTimeout(), left);
        }
    }

    /**
     * One beat visits every I/O thread in turn and then notifies the master, so any one I/O thread
     * that hangs stops the heartbeat.
     */
    private void beat(XnioWorker xnio, int thread) {
        try {
            if (thread < xnio.getIoThreadCount()) {
                xnio.getIoThread(thread).execute(() -> beat(xnio, thread + 1));
            } else {
                notifyAlive();
                xnio.getIoThread(0).executeAfter(() -> beat(xnio, 0), BEAT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException shuttingDown) {
            // the worker is exiting
        }
    }

    /** The request target as sent: path and query. */
    static String target(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return query.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + query;
    }

    /** Answers a request the worker will not serve, and closes the connection (as Gunicorn). */
    static void refuse(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(StatusCodes.getReason(status) + "\n");
    }
}
