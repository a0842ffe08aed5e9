package io.qilin.worker.vertx;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.AccessLog;
import io.qilin.worker.Forwarded;
import io.qilin.worker.Tls;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The async worker: one Vert.x HTTP server per listener on each of {@code --threads} event loops, on
 * native epoll over the inherited sockets. A {@code Handler<HttpServerRequest>} application runs on
 * the event loop; a portable {@link HttpHandler} runs off it (see {@link PortableHandler}).
 * {@link #run()} blocks until a graceful stop has drained the requests in flight.
 */
final class VertxWorker extends Worker implements RequestTracker.Listener {
    private static final Logger log = LoggerFactory.getLogger(VertxWorker.class);

    /** Gunicorn's hard cap on the request line (MAX_REQUEST_LINE), also its default header field size. */
    private static final int MAX_REQUEST_LINE = 8190;
    /** Gunicorn's cap on the number of header fields. */
    private static final int MAX_HEADER_FIELDS = 32768;
    /** After this process stops accepting: time for requests on just-accepted connections to arrive. */
    private static final long SETTLE_MILLIS = 200;
    private static final long FRESH_WAIT_MILLIS = 3000;
    /** Heartbeat period of each event loop; the master wants a beat at least every timeout / 2. */
    private static final long BEAT_MILLIS = 1000;

    private final int loops;
    private final AccessLog accessLog;
    /** Proxy headers, for portable applications' exchanges. */
    final Forwarded forwarded;
    private final int keepAliveSeconds;
    private final Duration grace;
    private final int maxFields;
    private final int maxFieldSize;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Map<HttpConnection, Long> idleTimers = new ConcurrentHashMap<>();
    /** Connections accepted whose first request has not started yet. */
    private final Set<HttpConnection> fresh = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final boolean[] beaten;
    private int beatsMissing;
    private InheritedTransport transport;
    private Vertx vertx;

    VertxWorker(WorkerContext context) {
        super(context);
        WorkerConfig config = context.config();
        this.accessLog = AccessLog.fromConfig(config);
        this.forwarded = Forwarded.fromConfig(config);
        int threads = config.getInt("THREADS", 0);
        this.loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        this.keepAliveSeconds = config.keepAlive();
        this.grace = Duration.ofSeconds(config.gracefulTimeout());
        int fields = config.limitRequestFields();
        this.maxFields = fields <= 0 || fields > MAX_HEADER_FIELDS ? MAX_HEADER_FIELDS : fields;
        int fieldSize = config.limitRequestFieldSize();
        this.maxFieldSize = fieldSize <= 0 ? MAX_REQUEST_LINE : fieldSize;
        this.beaten = new boolean[loops];
        this.beatsMissing = loops;
    }

    @Override
    protected List<Class<?>> appTypes() {
        return List.of(HttpHandler.class, Handler.class);
    }

    @Override
    protected void run() throws Exception {
        WorkerConfig config = context.config();
        transport = InheritedTransport.adopt(context.listeners(), config.workerConnections());
        vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setEventLoopPoolSize(loops)
                        .setWorkerPoolSize(Math.max(1, config.workerConnections()))
                        // portable applications may block a worker thread as long as they like
                        .setMaxWorkerExecuteTime(Long.MAX_VALUE)
                        .setMetricsOptions(new MetricsOptions().setEnabled(true)))
                .withTransport(transport)
                .withMetrics(new RequestTracker(this))
                .build();
        ExecutorService virtualThreads = virtualThreadExecutor();
        try {
            Handler<HttpServerRequest> app = application(virtualThreads);
            HttpServerOptions options = serverOptions(config);
            vertx.deployVerticle(() -> new Server(app, options), new DeploymentOptions().setInstances(loops))
                    .toCompletionStage().toCompletableFuture().get();
            transport.startAccepting();
            log.debug("Serving {} on {} event loop(s), transport {}", transport.inherited().size() == 1
                    ? transport.inherited().get(0).spec() : transport.inherited().size() + " listeners", loops,
                    transport.name());
            stopRequested.await();
            drain();
        } finally {
            if (virtualThreads != null) {
                virtualThreads.shutdown();
            }
        }
    }

    /** Graceful stop (TERM, max-requests, {@link #stop()}): wakes {@link #run()}, which drains. Never blocks. */
    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        stopRequested.countDown();
    }

    /**
     * Stops accepting, lets just-accepted requests arrive, then shuts the servers down with the grace
     * period. The verticles stay deployed meanwhile, so the event loops keep beating while requests finish.
     */
    private void drain() throws Exception {
        transport.stopAccepting();
        Thread.sleep(SETTLE_MILLIS);
        // Vert.x's shutdown closes a connection whose request it has not read yet: on a busy machine the
        // settle time is not always enough, so wait (a little) for every accepted connection's first request
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FRESH_WAIT_MILLIS);
        while (!fresh.isEmpty() && System.nanoTime() - until < 0) {
            Thread.sleep(10);
        }
        List<Future<Void>> shutdowns = new ArrayList<>();
        for (HttpServer server : servers) {
            shutdowns.add(server.shutdown(grace));
        }
        try {
            Future.join(shutdowns).toCompletionStage().toCompletableFuture()
                    .get(grace.getSeconds() + 5, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("Requests still in flight after the graceful timeout of {} s; exiting anyway", grace.getSeconds());
        }
    }

    private Handler<HttpServerRequest> application(ExecutorService virtualThreads) {
        if (app() instanceof HttpHandler) {
            Executor blocking = virtualThreads != null ? virtualThreads
                    : task -> vertx.executeBlocking(() -> {
                        task.run();
                        return null;
                    }, false);
            return new PortableHandler(portableApp(), blocking, this);
        }
        // A Handler of something else than requests loads, then fails each request with a 500.
        @SuppressWarnings("unchecked")
        Handler<HttpServerRequest> handler = (Handler<HttpServerRequest>) app();
        return request -> {
            if (closeAfterResponse()) {
                request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            }
            try {
                handler.handle(request);
            } catch (RuntimeException | LinkageError e) {
                fail(request, e);
            }
        };
    }

    private HttpServerOptions serverOptions(WorkerConfig config) {
        int line = config.limitRequestLine();
        HttpServerOptions options = new HttpServerOptions();
        if (Tls.enabled(config)) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.get("CERTFILE", ""))
                    .setKeyPath(config.get("KEYFILE", "")));
        }
        return options
                .setMaxInitialLineLength(line <= 0 || line > MAX_REQUEST_LINE ? MAX_REQUEST_LINE : line)
                // Gunicorn's bound on the whole header block; refused() checks each field
                .setMaxHeaderSize(maxFields * (maxFieldSize + 2) + 4)
                .setHandle100ContinueAutomatically(true)
                .setHttp2ClearTextEnabled(false);
    }

    /** JDK 21+: a virtual thread per portable request; null before (Vert.x's worker pool serves). */
    private static ExecutorService virtualThreadExecutor() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** True when a response should carry {@code Connection: close}: no keep-alive, or this worker is stopping. */
    boolean closeAfterResponse() {
        return keepAliveSeconds <= 0 || !isAlive();
    }

    private void accepted(HttpConnection connection) {
        fresh.add(connection);
        connection.closeHandler(v -> fresh.remove(connection));
        waitForNextRequest(connection);
    }

    @Override
    public void started(HttpServerRequest request) {
        fresh.remove(request.connection());
        Long timer = idleTimers.remove(request.connection());
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
        requestStarted(request.method().name() + ' ' + request.uri() + ' '
                + (request.version() == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1"));
    }

    @Override
    public void finished(HttpServerRequest request, long nanos, long bytes) {
        requestFinished();
        if (accessLog.enabled() && bytes >= 0) {
            SocketAddress peer = request.remoteAddress();
            accessLog.log(new AccessLog.Entry(peer == null ? null : peer.hostAddress(), request.method().name(),
                    request.uri(), request.version() == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1",
                    request.response().getStatusCode(), bytes, nanos,
                    java.time.ZonedDateTime.now().minusNanos(nanos), request.headers()::get,
                    request.response().headers()::get));
        }
        if (closeAfterResponse()) {
            request.connection().shutdown(grace); // closes once this response is out
        } else {
            waitForNextRequest(request.connection());
        }
    }

    /** Keep-alive: a connection with no request for {@code --keep-alive} seconds is closed. */
    private void waitForNextRequest(HttpConnection connection) {
        if (keepAliveSeconds <= 0) {
            return;
        }
        long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(keepAliveSeconds), id -> {
            if (idleTimers.remove(connection, id)) {
                connection.close();
            }
        });
        Long previous = idleTimers.put(connection, timer);
        if (previous != null) {
            vertx.cancelTimer(previous);
        }
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

    /** Gunicorn's header limits, its 400 for a duplicate Host or Content-Type, its 417 for an unknown expectation. */
    private boolean refused(HttpServerRequest request) {
        int fields = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            if (++fields > maxFields) {
                return refuse(request, 431, "Too many header fields (limit " + maxFields + ")");
            }
            // as Gunicorn counts a field: "name: value" and its CRLF
            if (h.getKey().length() + h.getValue().length() + 4 > maxFieldSize) {
                return refuse(request, 431, "Header field " + h.getKey() + " is too large (limit " + maxFieldSize + ")");
            }
        }
        for (CharSequence single : new CharSequence[] {HttpHeaders.HOST, HttpHeaders.CONTENT_TYPE}) {
            if (request.headers().getAll(single).size() > 1) {
                return refuse(request, 400, "Duplicate " + single + " header");
            }
        }
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null && request.version() != HttpVersion.HTTP_1_0
                && !HttpHeaders.CONTINUE.toString().equalsIgnoreCase(expect)) {
            return refuse(request, 417, "Unsupported expectation: " + expect);
        }
        return false;
    }

    /** Answers with an error status and closes the connection; returns true. */
    static boolean refuse(HttpServerRequest request, int status, String message) {
        HttpServerResponse response = request.response();
        response.headers().clear();
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
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

    /** One instance per event loop: its share of every listener's server, and its heartbeat. */
    private final class Server extends VerticleBase {
        private final Handler<HttpServerRequest> app;
        private final HttpServerOptions options;

        Server(Handler<HttpServerRequest> app, HttpServerOptions options) {
            this.app = app;
            this.options = options;
        }

        @Override
        public Future<?> start() {
            int loop = nextLoop.getAndIncrement();
            vertx.setPeriodic(BEAT_MILLIS, id -> tick(loop));
            // One listener after the other: the transport hands out the inherited sockets in this order.
            Future<?> listening = Future.succeededFuture();
            for (InheritedTransport.Inherited listener : transport.inherited()) {
                listening = listening.compose(ignored -> {
                    HttpServer server = vertx.createHttpServer(options)
                            .connectionHandler(VertxWorker.this::accepted)
                            .requestHandler(request -> {
                                if (!refused(request)) {
                                    app.handle(request);
                                }
                            });
                    servers.add(server);
                    return server.listen(listener.listenAddress());
                });
            }
            return listening;
        }
    }
}
