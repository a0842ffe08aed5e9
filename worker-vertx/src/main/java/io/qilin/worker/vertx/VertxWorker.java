package io.qilin.worker.vertx;

import io.qilin.worker.protocol.WorkerEnv;
import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.AccessLog;
import io.qilin.worker.AppFactory;
import io.qilin.worker.AppLoadException;
import io.qilin.worker.Forwarded;
import io.qilin.worker.RequestTimeouts;
import io.qilin.worker.Tls;
import io.qilin.worker.WarmupListener;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.internal.ProxyProtocol;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The async worker: one Vert.x HTTP server per listener on each of {@code --threads} event loops, on
 * native epoll over the inherited sockets. A {@code Handler<HttpServerRequest>} application runs on
 * the event loop; a portable {@link HttpHandler} runs off it (see {@link PortableHandler}).
 * The servers listen from the constructor on, before the master hears READY; {@link #run()} lets them
 * accept, and blocks until a graceful stop has drained the connections.
 */
final class VertxWorker extends Worker implements RequestTracker.Listener {
    private static final Logger log = LoggerFactory.getLogger(VertxWorker.class);

    /** Gunicorn's hard cap on the request line (MAX_REQUEST_LINE), also its default header field size. */
    private static final int MAX_REQUEST_LINE = 8190;
    /** Gunicorn's cap on the number of header fields. */
    private static final int MAX_HEADER_FIELDS = 32768;
    private static final long DRAIN_POLL_MILLIS = 50;
    /** Heartbeat period of each event loop; the master wants a beat at least every timeout / 2. */
    private static final long BEAT_MILLIS = 1000;

    private final int loops;
    private final AccessLog accessLog;
    /** Proxy headers, for portable applications' exchanges. */
    final Forwarded forwarded;
    private final int keepAliveSeconds;
    /** How long a connection may wait for its next request's head after a response (the keep-alive). */
    private final long idleMillis;
    /** How long a new connection has for its first request's head ({@code --header-timeout}). */
    private final long firstRequestMillis;
    private final long maxBody;
    /** {@code --body-timeout} and {@code --write-timeout}, for portable applications ({@link PortableHandler}). */
    final long bodyTimeoutMillis;
    final long writeTimeoutMillis;
    private final Duration grace;
    private final int maxFields;
    private final int maxFieldSize;
    /** {@code --http-protocols} has h2. */
    private final boolean http2;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** Each event loop's connections, on the loop's thread. */
    private final ThreadLocal<IdleConnections> idleConnections = new ThreadLocal<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final boolean[] beaten;
    private int beatsMissing;
    private InheritedTransport transport;
    private Vertx vertx;
    /** The {@code --request-timeout} watch of each request in flight. */
    private final Map<HttpServerRequest, RequestTimeouts.Watch> watches = new ConcurrentHashMap<>();
    /** The threads a portable application runs on, or null. */
    private ExecutorService appThreads;
    /** The application, set before the first connection is accepted (by the warm-up, or by {@link #run()}). */
    private volatile Handler<HttpServerRequest> app;
    /** One per event loop; each serves its own application instance when the app is a factory. */
    private final List<Server> servers = new CopyOnWriteArrayList<>();

    VertxWorker(WorkerContext context) {
        super(context);
        skipNettyJfrEvents();
        WorkerConfig config = context.config();
        this.accessLog = AccessLog.fromConfig(config);
        this.forwarded = Forwarded.fromConfig(config);
        int threads = config.getInt(WorkerEnv.THREADS);
        this.loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.keepAliveSeconds = config.keepAlive();
        this.firstRequestMillis = TimeUnit.SECONDS.toMillis(Math.max(1, config.headerTimeout()));
        this.idleMillis = keepAliveSeconds > 0 ? TimeUnit.SECONDS.toMillis(keepAliveSeconds) : firstRequestMillis;
        this.maxBody = config.limitRequestBody();
        this.bodyTimeoutMillis = TimeUnit.SECONDS.toMillis(Math.max(1, config.bodyTimeout()));
        this.writeTimeoutMillis = TimeUnit.SECONDS.toMillis(Math.max(1, config.writeTimeout()));
        this.grace = Duration.ofSeconds(config.gracefulTimeout());
        int fields = config.limitRequestFields();
        this.maxFields = fields <= 0 || fields > MAX_HEADER_FIELDS ? MAX_HEADER_FIELDS : fields;
        int fieldSize = config.limitRequestFieldSize();
        this.maxFieldSize = fieldSize <= 0 ? MAX_REQUEST_LINE : fieldSize;
        this.http2 = Arrays.asList(config.get(WorkerEnv.HTTP_PROTOCOLS).split(",")).contains("h2");
        this.beaten = new boolean[loops];
        this.beatsMissing = loops;
        if (!config.checkOnly()) {
            listen(config);
        }
    }

    /**
     * Netty 4.2 registers its buffer allocator's JFR event types when the first connection allocates,
     * on the event loop: a quarter of a second (0.24 of 0.58 s measured) of every new worker's first
     * request, which all of that loop's connections wait for. Off unless the user set it
     * ({@code --worker-jvm-opts -Dio.netty.jfr.enabled=true}). Before any Netty class reads it.
     */
    private static void skipNettyJfrEvents() {
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    @Override
    protected List<Class<?>> appTypes() {
        return List.of(HttpHandler.class, Handler.class);
    }

    /** A factory taking the {@code Vertx}, such as a Vert.x Web router's, is called once per event loop. */
    @Override
    protected List<Class<?>> appFactoryArguments() {
        return List.of(Vertx.class);
    }

    /**
     * Starts the servers on the inherited sockets, accepting nothing yet. Done before the master hears
     * READY and retires an old worker: a socket or TLS problem is then a boot error, which leaves the old
     * generation serving, and a READY worker accepts as soon as {@link #run()} starts.
     */
    private void listen(WorkerConfig config) {
        try {
            ProxyProtocol proxyProtocol = ProxyProtocol.fromConfig(config);
            transport = InheritedTransport.adopt(context.listeners(), config.workerConnections(), proxyProtocol, http2);
            vertx = Vertx.builder()
                    .with(new VertxOptions().setEventLoopPoolSize(loops)
                            .setMetricsOptions(new MetricsOptions().setEnabled(true)))
                    .withTransport(transport)
                    .withMetrics(new RequestTracker(this))
                    .build();
            HttpServerOptions options = serverOptions(config);
            if (proxyProtocol.enabled()) {
                // Netty's decoder closes a connection whose header is missing or malformed; the allow list is the transport's
                options.setUseProxyProtocol(true).setProxyProtocolTimeout(Math.max(1, config.headerTimeout()))
                        .setProxyProtocolTimeoutUnit(TimeUnit.SECONDS);
            }
            vertx.deployVerticle(() -> new Server(options), new DeploymentOptions().setInstances(loops))
                    .toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            if (vertx != null) {
                vertx.close();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot serve " + context.listeners() + ": " + cause, cause);
        }
    }

    @Override
    protected void run() throws Exception {
        prepareApplication();
        try {
            if (app() instanceof AppFactory) {
                for (Server server : servers) {
                    server.createApp((AppFactory) app()); // one router per event loop
                }
            }
            transport.startAccepting();
            notifyAlive(); // ready now, rather than at the event loops' first tick a second from now
            log.debug("Serving {} on {} event loop(s), transport {}", transport.inherited().size() == 1
                    ? transport.inherited().get(0).spec() : transport.inherited().size() + " listeners", loops,
                    transport.name());
            stopRequested.await();
            drain();
        } finally {
            if (appThreads != null) {
                appThreads.shutdown();
            }
        }
    }

    /** The application handler and, for a portable one, its threads; once, by the warm-up or by {@link #run()}. */
    private void prepareApplication() {
        if (app == null && !(app() instanceof AppFactory)) {
            appThreads = app() instanceof HttpHandler ? AppThreads.start(context.config().workerConnections()) : null;
            app = application(appThreads);
        }
    }

    /**
     * One more HTTP server with the same options (without TLS) and handlers as the shared sockets', on
     * 127.0.0.1 and a port of its own, on one of this worker's event loops; closed after the warm-up.
     */
    @Override
    protected WarmupListener openWarmupListener() throws Exception {
        if (app() instanceof AppFactory) {
            return null; // a router is made per event loop in run(), after the warm-up
        }
        prepareApplication();
        HttpServer server = vertx.createHttpServer(serverOptions(context.config()).setSsl(false).setClientAuth(ClientAuth.NONE))
                .connectionHandler(c -> idleConnections().opened(c, System.nanoTime()))
                .requestHandler(request -> serve(request, app));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.actualPort());
        return new WarmupListener() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public void close() throws Exception {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        };
    }

    /** Graceful stop (TERM, max-requests, {@link #stop()}): wakes {@link #run()}, which drains. Never blocks. */
    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        stopRequested.countDown();
    }

    /**
     * Stops accepting, then waits, up to the graceful timeout, until every connection is closed: after
     * its next response, which says {@code Connection: close}, or once it has been idle for the
     * keep-alive. An idle connection is never cut sooner: its client may be sending a request.
     * The event loops keep beating meanwhile.
     */
    private void drain() throws Exception {
        transport.stopAccepting();
        long deadline = System.nanoTime() + grace.toNanos();
        while (transport.openConnections() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        int left = transport.openConnections();
        if (left > 0) {
            log.warn("Graceful timeout ({} s) reached; closing {} connection(s)", grace.getSeconds(), left);
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("Vert.x did not close within 10 s; exiting anyway");
        }
    }

    private Handler<HttpServerRequest> application(ExecutorService appThreads) {
        if (app() instanceof HttpHandler) {
            return new PortableHandler(portableApp(), appThreads, this);
        }
        return guarded(app());
    }

    /** A native handler, whose exceptions become 500s. A Handler of something else than requests loads, then fails each request. */
    private Handler<HttpServerRequest> guarded(Object nativeApp) {
        @SuppressWarnings("unchecked")
        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) nativeApp;
        return request -> {
            try {
                handler.handle(request);
            } catch (RuntimeException | LinkageError e) {
                fail(request, e);
            }
        };
    }

    /** Every well-formed request: the checks, then the application. On the connection's event loop. */
    private void serve(HttpServerRequest request, Handler<HttpServerRequest> handler) {
        if (refused(request)) {
            return;
        }
        HttpServerResponse response = request.response();
        if (request.version() == HttpVersion.HTTP_2) {
            handler.handle(request); // no Connection: close in HTTP/2: a stopping worker sends GOAWAY (see idleConnections)
            return;
        }
        if (closeAfterResponse()) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE); // in case the application replaces the handler below
        }
        // decided when the head goes out: a worker that began stopping meanwhile closes the connection
        response.headersEndHandler(v -> {
            if (closeAfterResponse()) {
                response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            }
        });
        handler.handle(request);
    }

    private HttpServerOptions serverOptions(WorkerConfig config) throws IOException, GeneralSecurityException {
        int line = config.limitRequestLine();
        HttpServerOptions options = new HttpServerOptions();
        if (Tls.enabled(config)) {
            tlsOptions(options, config);
        }
        if (http2) {
            int headerList = config.getInt(WorkerEnv.HTTP2_MAX_HEADER_LIST_SIZE);
            // ALPN offers h2 then HTTP/1.1 on TLS; without TLS, h2c by prior knowledge and by Upgrade: h2c
            options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                    .setHttp2ClearTextEnabled(true)
                    .setInitialSettings(new Http2Settings()
                            .setMaxConcurrentStreams(config.getInt(WorkerEnv.HTTP2_MAX_CONCURRENT_STREAMS))
                            .setInitialWindowSize(config.getInt(WorkerEnv.HTTP2_INITIAL_WINDOW_SIZE))
                            .setMaxFrameSize(config.getInt(WorkerEnv.HTTP2_MAX_FRAME_SIZE))
                            .setMaxHeaderListSize(headerList > 0 ? headerList : 0xFFFFFFFFL));
        } else {
            options.setHttp2ClearTextEnabled(false);
        }
        return options
                .setMaxInitialLineLength(line <= 0 || line > MAX_REQUEST_LINE ? MAX_REQUEST_LINE : line)
                // Gunicorn's bound on the whole header block; refused() checks each field
                .setMaxHeaderSize(maxFields * (maxFieldSize + 2) + 4)
                .setHandle100ContinueAutomatically(true);
    }

    /** The request line's protocol, as Gunicorn logs it. */
    private static String protocol(HttpVersion version) {
        return version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : version == HttpVersion.HTTP_2 ? "HTTP/2.0" : "HTTP/1.1";
    }

    /**
     * TLS as {@link Tls} sets it up for every kind: the same trust ({@code --ca-certs}) and the same
     * protocols, cipher suites and client authentication, as Vert.x's options.
     */
    private static void tlsOptions(HttpServerOptions options, WorkerConfig config) throws IOException, GeneralSecurityException {
        options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.get(WorkerEnv.CERTFILE))
                .setKeyPath(config.get(WorkerEnv.KEYFILE)));
        String caCerts = config.get(WorkerEnv.CA_CERTS);
        if (!caCerts.isEmpty()) {
            options.setTrustOptions(TrustOptions.wrap(Tls.trustManagers(Path.of(caCerts))));
        }
        SSLParameters params = Tls.serverParameters(config);
        options.setEnabledSecureTransportProtocols(new LinkedHashSet<>(List.of(params.getProtocols())));
        if (params.getCipherSuites() != null) {
            for (String cipher : params.getCipherSuites()) {
                options.addEnabledCipherSuite(cipher);
            }
        }
        options.setClientAuth(params.getNeedClientAuth() ? ClientAuth.REQUIRED
                : params.getWantClientAuth() ? ClientAuth.REQUEST : ClientAuth.NONE);
    }

    /** True when a response should carry {@code Connection: close}: no keep-alive, or this worker is stopping. */
    private boolean closeAfterResponse() {
        return keepAliveSeconds <= 0 || !isAlive();
    }

    @Override
    public void started(HttpServerRequest request) {
        idleConnections().busy(request.connection());
        String line = request.method().name() + ' ' + request.uri() + ' ' + protocol(request.version());
        requestStarted(line);
        RequestTimeouts timeouts = isWarmingUp() ? null : requestTimeouts();
        if (timeouts != null) {
            RequestTimeouts.Watch watch = timeouts.started(line, () -> answerTimedOut(request));
            watch.startedOn(Thread.currentThread());
            watches.put(request, watch);
        }
    }

    /** A portable application's thread took the request over, or (null) gave it back (see {@link PortableHandler}). */
    void runningOn(HttpServerRequest request, Thread thread) {
        RequestTimeouts.Watch watch = watches.get(request);
        if (watch != null) {
            watch.runningOn(thread);
        }
    }

    /** {@code --request-timeout}: 503 and close, or just close once the response has started. Never blocks. */
    private static void answerTimedOut(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            cut(request);
        } else {
            refuse(request, 503, "Request timed out");
        }
    }

    @Override
    public void finished(HttpServerRequest request, long nanos, long bytes) {
        RequestTimeouts.Watch watch = watches.remove(request);
        if (watch != null) {
            watch.finished();
        }
        requestFinished();
        if (accessLog.enabled() && bytes >= 0) {
            SocketAddress peer = request.remoteAddress();
            accessLog.log(new AccessLog.Entry(peer == null ? null : peer.hostAddress(), request.method().name(),
                    request.uri(), protocol(request.version()),
                    request.response().getStatusCode(), bytes, nanos,
                    java.time.ZonedDateTime.now().minusNanos(nanos), request.headers()::get,
                    request.response().headers()::get));
        }
        if (request.response().getStatusCode() == 101) {
            idleConnections().forget(request.connection()); // a WebSocket now, which the keep-alive does not cover
        } else if (request.response().headers().contains(HttpHeaders.CONNECTION, HttpHeaders.CLOSE, true)) {
            request.connection().shutdown(grace); // closes once this response is out
        } else {
            // the client was promised another request, even if this worker is stopping meanwhile:
            // that one will be answered with Connection: close
            idleConnections().waiting(request.connection(), System.nanoTime());
        }
    }

    /** The connections of the event loop this runs on; made, with their sweep, at the loop's first connection. */
    private IdleConnections idleConnections() {
        IdleConnections idle = idleConnections.get();
        if (idle == null) {
            IdleConnections created = new IdleConnections(TimeUnit.MILLISECONDS.toNanos(firstRequestMillis),
                    TimeUnit.MILLISECONDS.toNanos(idleMillis));
            idleConnections.set(created);
            // on this loop: a connection is closed up to a quarter of the shorter limit after its deadline
            vertx.setPeriodic(Math.max(10, Math.min(idleMillis, firstRequestMillis) / 4), id -> {
                if (!isAlive()) {
                    created.goAway(); // HTTP/2: GOAWAY, then closed once idle
                }
                created.sweep(System.nanoTime());
            });
            idle = created;
        }
        return idle;
    }

    /** The heartbeat goes out once every event loop has ticked, so one blocked loop stops it. */
    private synchronized void tick(int loop) {
        if (!beaten[loop]) {
            beaten[loop] = true;
            if (--beatsMissing == 0) {
                Arrays.fill(beaten, false);
                beatsMissing = loops;
                notifyAlive();
            }
        }
    }

    /** {@code --limit-request-body}, 0 for none. */
    long maxBody() {
        return maxBody;
    }

    /** The worker's Vert.x, for timers. */
    Vertx vertx() {
        return vertx;
    }

    /** Gunicorn's header limits, its 400 for a duplicate Host or Content-Type, its 417 for an unknown expectation. */
    private boolean refused(HttpServerRequest request) {
        int fields = 0;
        int hosts = 0;
        int contentTypes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey();
            if (++fields > maxFields) {
                return refuse(request, 431, "Too many header fields (limit " + maxFields + ")");
            }
            // as Gunicorn counts a field: "name: value" and its CRLF
            if (name.length() + h.getValue().length() + 4 > maxFieldSize) {
                return refuse(request, 431, "Header field " + name + " is too large (limit " + maxFieldSize + ")");
            }
            if ("Host".equalsIgnoreCase(name) && ++hosts > 1) {
                return refuse(request, 400, "Duplicate Host header");
            }
            if ("Content-Type".equalsIgnoreCase(name) && ++contentTypes > 1) {
                return refuse(request, 400, "Duplicate Content-Type header");
            }
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (maxBody > 0 && length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBody) {
            return refuse(request, 413, "Request body too large (limit " + maxBody + " bytes)");
        }
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && request.version() != HttpVersion.HTTP_1_0
                && !HttpHeaders.CONTINUE.toString().equalsIgnoreCase(expect)) {
            return refuse(request, 417, "Unsupported expectation: " + expect);
        }
        return false;
    }

    /** Ends the request's connection at once; on HTTP/2 only the request's stream (a reset), not the others. */
    static void cut(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            request.connection().close();
        }
    }

    /** Answers with an error status and closes the connection (on HTTP/2, ends the stream only); returns true. */
    static boolean refuse(HttpServerRequest request, int status, String message) {
        HttpServerResponse response = request.response();
        response.headers().clear();
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (request.version() == HttpVersion.HTTP_2) {
            response.end(message + "\n");
            return true;
        }
        response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .end(message + "\n")
                .onComplete(ar -> request.connection().close());
        return true;
    }

    /** An application failed on a request: 500 if nothing was sent yet, else the connection is cut. */
    static void fail(HttpServerRequest request, Throwable error) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            log.debug("Client went away during {} {}: {}", request.method(), request.uri(), error.toString());
            return;
        }
        log.error("Error handling request {} {}", request.method(), request.uri(), error);
        if (response.headWritten() || response.ended()) {
            response.reset();
            return;
        }
        refuse(request, 500, "Internal Server Error");
    }

    /** One instance per event loop: its share of every listener's server, its heartbeat, and its own app when the app is a factory. */
    private final class Server extends VerticleBase {
        private final HttpServerOptions options;
        private volatile Handler<HttpServerRequest> ownApp;

        Server(HttpServerOptions options) {
            this.options = options;
        }

        @Override
        public Future<?> start() {
            servers.add(this);
            int loop = nextLoop.getAndIncrement();
            vertx.setPeriodic(BEAT_MILLIS, id -> tick(loop));
            // One listener after the other: the transport hands out the inherited sockets in this order.
            Future<?> listening = Future.succeededFuture();
            for (InheritedTransport.Inherited listener : transport.inherited()) {
                listening = listening.compose(ignored -> vertx.createHttpServer(options)
                        .connectionHandler(c -> idleConnections().opened(c, System.nanoTime()))
                        .requestHandler(request -> serve(request, ownApp != null ? ownApp : app))
                        .listen(listener.listenAddress()));
            }
            return listening;
        }

        /** Calls the application factory on this verticle's event loop and keeps what it returns. */
        void createApp(AppFactory factory) throws Exception {
            CompletableFuture<Handler<HttpServerRequest>> made = new CompletableFuture<>();
            context.runOnContext(v -> {
                try {
                    made.complete(guarded(factory.create(vertx)));
                } catch (AppLoadException | RuntimeException | LinkageError e) {
                    made.completeExceptionally(e);
                }
            });
            try {
                ownApp = made.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AppLoadException) {
                    throw (AppLoadException) e.getCause();
                }
                throw new AppLoadException(factory + " failed: " + e.getCause(), e.getCause());
            }
        }
    }
}
