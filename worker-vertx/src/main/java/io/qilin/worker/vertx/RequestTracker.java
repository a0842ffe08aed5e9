package io.qilin.worker.vertx;

import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sees every request of the worker's HTTP servers start and finish, through Vert.x's metrics SPI:
 * unlike a response's end handlers, which applications (Vert.x Web among them) replace, these calls
 * cannot be taken away. Both come on the connection's event loop.
 */
final class RequestTracker implements VertxMetricsFactory, VertxMetrics {
    /** Told once when each well-formed request starts, and once when its response is done or failed. */
    interface Listener {
        void started(HttpServerRequest request);

        /**
         * @param nanos the time since the request started
         * @param bytes the response body's bytes written, or -1 when the request was reset
         */
        void finished(HttpServerRequest request, long nanos, long bytes);
    }

    private final Listener listener;
    private final HttpServerMetrics<InFlight, Void> serverMetrics = new HttpServerMetrics<>() {
        @Override
        public InFlight requestBegin(SocketAddress remote, HttpRequest request) {
            if (!(request instanceof HttpServerRequest) || ((HttpServerRequest) request).decoderResult().isFailure()) {
                return null; // Vert.x answers a request it cannot parse itself (400/414/431)
            }
            HttpServerRequest r = (HttpServerRequest) request;
            listener.started(r);
            return new InFlight(r);
        }

        @Override
        public void responseEnd(InFlight inFlight, HttpResponse response, long bytesWritten) {
            finish(inFlight, bytesWritten);
        }

        @Override
        public void requestReset(InFlight inFlight) {
            finish(inFlight, -1);
        }
    };

    RequestTracker(Listener listener) {
        this.listener = listener;
    }

    @Override
    public VertxMetrics metrics(VertxOptions options) {
        return this;
    }

    @Override
    public HttpServerMetrics<?, ?> createHttpServerMetrics(HttpServerConfig config, SocketAddress tcpAddress,
            SocketAddress udpAddress) {
        return serverMetrics;
    }

    private void finish(InFlight inFlight, long bytes) {
        if (inFlight != null && inFlight.done.compareAndSet(false, true)) {
            listener.finished(inFlight.request, System.nanoTime() - inFlight.startNanos, bytes);
        }
    }

    /** One request between its start and its end; the end can be reported twice (a reset after the response). */
    static final class InFlight {
        final HttpServerRequest request;
        final AtomicBoolean done = new AtomicBoolean();
        final long startNanos = System.nanoTime();

        InFlight(HttpServerRequest request) {
            this.request = request;
        }
    }
}
