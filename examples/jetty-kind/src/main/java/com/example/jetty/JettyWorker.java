package com.example.jetty;

import io.qilin.worker.AccessLog;
import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker process running Jetty 12 on the listeners it inherited.
 * <ul>
 *   <li>Ready: {@link #run()} starts Jetty, whose selectors then accept; the first heartbeat, which
 *       tells the master the worker is ready, goes out only after every selector has run once.</li>
 *   <li>Heartbeat: every half second a task visits each selector thread in turn and the last one calls
 *       {@code notifyAlive()}: a selector thread that hangs stops the beats.</li>
 *   <li>Graceful stop (TERM, max-requests): each connector takes what waits in the kernel's queue and
 *       stops accepting; every further response says {@code Connection: close}; Jetty stops once every
 *       connection has closed, or after {@code --graceful-timeout}.</li>
 * </ul>
 */
final class JettyWorker extends Worker {
    private static final Logger log = LoggerFactory.getLogger(JettyWorker.class);
    private static final long BEAT_MILLIS = 500;
    private static final long DRAIN_POLL_MILLIS = 50;
    /** How long a new connection may stay silent before its first request (Gunicorn waits 5 s for a first byte). */
    private static final long FIRST_REQUEST_MILLIS = 5000;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile boolean beating = true;

    JettyWorker(WorkerContext context) {
        super(context);
        quietJetty();
        for (Listener l : context.listeners()) {
            if (l.spec().family() == ListenerSpec.Family.UNIX) {
                throw new IllegalArgumentException("the jetty example kind serves TCP only, not " + l);
            }
            try {
                l.channel(); // adopt the fd now: failing here is a boot error (exit 3), not a crash
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    protected void run() throws Exception {
        WorkerConfig config = context.config();
        int threads = config.threads() > 0 ? config.threads() : 2 * Runtime.getRuntime().availableProcessors();
        int listeners = context.listeners().size();
        // the application's threads, plus one selector per listener and room for Jetty's own tasks
        QueuedThreadPool pool = new QueuedThreadPool(threads + listeners + 2, Math.min(4, threads));
        pool.setName("jetty");
        Server server = new Server(pool);
        server.setDynamic(false); // a fixed handler tree: Jetty may then call a non-blocking handler on the selector
        server.setErrorHandler(new BadRequestErrors());
        AppHandler.Limits limits = new AppHandler.Limits(config.limitRequestLine(), config.limitRequestFields(),
                config.limitRequestFieldSize());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(limits.headerBlock());
        // a new connection waits up to FIRST_REQUEST_MILLIS for its first request (as Gunicorn), then
        // --keep-alive between requests: AppHandler sets that once a request is answered
        long keepAlive = config.keepAlive() > 0 ? TimeUnit.SECONDS.toMillis(config.keepAlive()) : FIRST_REQUEST_MILLIS;
        List<InheritedConnector> connectors = new ArrayList<>();
        for (Listener l : context.listeners()) {
            InheritedConnector connector = new InheritedConnector(server, l.channel(), 1, new HttpConnectionFactory(http));
            connector.setIdleTimeout(FIRST_REQUEST_MILLIS);
            server.addConnector(connector);
            connectors.add(connector);
        }
        server.setHandler(new AppHandler(portableApp(), pool, new AppHandler.Worker() {
            @Override
            public void requestStarted(String requestLine) {
                JettyWorker.this.requestStarted(requestLine);
            }

            @Override
            public void requestFinished() {
                JettyWorker.this.requestFinished();
            }

            @Override
            public boolean stopping() {
                return !isAlive() || config.keepAlive() <= 0;
            }
        }, AccessLog.fromConfig(config), limits, keepAlive));
        server.start();
        try {
            List<ManagedSelector> selectors = new ArrayList<>();
            connectors.forEach(c -> selectors.addAll(c.selectorThreads()));
            beat(server, selectors, 0);
            log.debug("jetty serving {} with {} threads", context.listeners(), threads);
            stopRequested.await();
            drain(connectors, config.gracefulTimeout());
        } finally {
            beating = false;
            server.stop();
        }
    }

    /**
     * Keeps Jetty's own loggers at INFO when {@code --log-level debug} sets the root to DEBUG: Jetty's
     * debug output is for Jetty's developers and runs to megabytes a second. A level that a
     * {@code --log-config} file sets for {@code org.eclipse.jetty} is kept.
     */
    private static void quietJetty() {
        if (LoggerFactory.getLogger("org.eclipse.jetty") instanceof ch.qos.logback.classic.Logger) {
            ch.qos.logback.classic.Logger jetty = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.eclipse.jetty");
            if (jetty.getLevel() == null) {
                jetty.setLevel(ch.qos.logback.classic.Level.INFO);
            }
        }
    }

    /** Graceful stop (TERM, max-requests): wakes {@link #run()}, which drains. */
    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        stopRequested.countDown();
    }

    private void drain(List<InheritedConnector> connectors, int gracefulTimeout) throws IOException, InterruptedException {
        for (InheritedConnector c : connectors) {
            c.stopAccepting();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(gracefulTimeout);
        while (open(connectors) > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        if (open(connectors) > 0) {
            log.warn("Graceful timeout ({} s) reached; closing {} connection(s)", gracefulTimeout, open(connectors));
        }
    }

    private static int open(List<InheritedConnector> connectors) {
        return connectors.stream().mapToInt(c -> c.connections()).sum();
    }

    /**
     * Visits each selector thread in turn; the last one beats and schedules the next round. Jetty's
     * scheduler only starts a round: the beat itself needs every selector to run.
     */
    private void beat(Server server, List<ManagedSelector> selectors, int next) {
        if (!beating) {
            return;
        }
        if (next < selectors.size()) {
            selectors.get(next).submit(selector -> beat(server, selectors, next + 1));
        } else {
            notifyAlive();
            server.getScheduler().schedule(() -> beat(server, selectors, 0), BEAT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
