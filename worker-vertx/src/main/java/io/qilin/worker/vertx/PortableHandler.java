package io.qilin.worker.vertx;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.Forwarded;
import io.qilin.worker.PortableExchange;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a portable JDK {@link HttpHandler} off the event loop: the request body is read first (413
 * once it passes {@code --limit-request-body}, the connection closed when it pauses longer than
 * {@code --body-timeout}), then the handler runs on the given executor ({@link AppThreads}), so a
 * blocking application never stalls a loop. The response is buffered, and streamed in chunks once it
 * outgrows {@link #CHUNK} bytes or the application flushes; a chunk the client does not take within
 * {@code --write-timeout} closes the connection.
 */
final class PortableHandler implements Handler<HttpServerRequest> {
    private static final Logger log = LoggerFactory.getLogger(PortableHandler.class);
    private static final int CHUNK = 64 * 1024;

    private final HttpHandler app;
    private final Executor executor;
    private final VertxWorker worker;

    PortableHandler(HttpHandler app, Executor executor, VertxWorker worker) {
        this.app = app;
        this.executor = executor;
        this.worker = worker;
    }

    @Override
    public void handle(HttpServerRequest request) {
        new BodyReader(request).start();
    }

    /** Gathers a request's body on its event loop, within the size limit and the pause deadline. */
    private final class BodyReader {
        private final HttpServerRequest request;
        private final Buffer body = Buffer.buffer();
        private long timer = -1;
        private boolean refused;

        BodyReader(HttpServerRequest request) {
            this.request = request;
        }

        void start() {
            request.handler(this::chunk);
            request.endHandler(v -> {
                cancelTimer();
                if (!refused) {
                    executor.execute(() -> {
                        worker.runningOn(request, Thread.currentThread()); // for --request-timeout
                        try {
                            serve(request, body);
                        } finally {
                            worker.runningOn(request, null);
                        }
                    });
                }
            });
            // the connection broke or the body was malformed: Vert.x has closed the connection
            request.exceptionHandler(e -> cancelTimer());
            if (request.headers().contains(HttpHeaders.CONTENT_LENGTH) || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                armTimer(); // a request without a body needs no timer, which saves one per request
            }
        }

        private void chunk(Buffer chunk) {
            if (refused) {
                return;
            }
            long max = worker.maxBody();
            if (max > 0 && body.length() + (long) chunk.length() > max) {
                refused = true;
                cancelTimer();
                VertxWorker.refuse(request, 413, "Request body too large (limit " + max + " bytes)");
                return;
            }
            body.appendBuffer(chunk);
            armTimer();
        }

        private void armTimer() {
            cancelTimer();
            if (!request.isEnded()) {
                timer = worker.vertx().setTimer(worker.bodyTimeoutMillis, id -> {
                    timer = -1;
                    log.debug("Request body of {} {} paused over {} ms; closing", request.method(), request.uri(),
                            worker.bodyTimeoutMillis);
                    refused = true;
                    VertxWorker.cut(request);
                });
            }
        }

        private void cancelTimer() {
            if (timer >= 0) {
                worker.vertx().cancelTimer(timer);
                timer = -1;
            }
        }
    }

    private void serve(HttpServerRequest request, Buffer body) {
        Exchange exchange;
        try {
            exchange = new Exchange(request, body, inet(request.remoteAddress()));
        } catch (URISyntaxException e) {
            VertxWorker.refuse(request, 400, "Invalid request target: " + e.getMessage());
            return;
        }
        try {
            app.handle(exchange);
            if (!exchange.responseStarted()) {
                throw new IllegalStateException("the handler returned without calling sendResponseHeaders()");
            }
            exchange.getResponseBody().close();
        } catch (WriteTimeout t) {
            log.warn("Closed the connection of {} {}: {}", request.method(), request.uri(), t.getMessage());
        } catch (Throwable t) {
            VertxWorker.fail(request, t);
        }
    }

    /** The client took nothing of the response for {@code --write-timeout}. */
    static final class WriteTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        WriteTimeout(long millis) {
            super("the client read nothing of the response for " + millis + " ms (--write-timeout)");
        }
    }

    /** The JDK exchange over one Vert.x request. */
    private final class Exchange extends PortableExchange {
        private final HttpServerRequest request;

        Exchange(HttpServerRequest request, Buffer body, InetSocketAddress peer) throws URISyntaxException {
            super(request.method().name(), new URI(request.uri()), protocol(request.version()), headers(request),
                    body.length() == 0 ? InputStream.nullInputStream() : new ByteArrayInputStream(body.getBytes()),
                    inet(request.localAddress()), worker.forwarded.remote(peer, request.headers()::get));
            this.request = request;
            setAttribute(Forwarded.SCHEME_ATTRIBUTE, worker.forwarded.scheme(peer, request.headers()::get, request.isSSL()));
            setSslSession(request.isSSL() ? request.connection().sslSession() : null);
        }

        @Override
        protected OutputStream openResponse(int code, long length, Headers headers) {
            HttpServerResponse response = request.response();
            response.setStatusCode(code);
            headers.forEach((name, values) -> response.headers().add(name, values));
            response.headers().remove(HttpHeaders.TRANSFER_ENCODING);
            if (request.method() != HttpMethod.HEAD) {
                response.headers().remove(HttpHeaders.CONTENT_LENGTH);
            }
            if (length == -1) {
                response.end().onFailure(e -> notSent(request, e));
                return OutputStream.nullOutputStream();
            }
            if (length > 0) {
                response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
            }
            // HTTP/1.0 has no chunks: a body of unknown length is sent whole, with its length
            return new Body(request, length, length > 0 || request.version() != HttpVersion.HTTP_1_0,
                    worker.writeTimeoutMillis);
        }
    }

    /** A write no thread waits for failed: the client went away before the response was out. */
    private static void notSent(HttpServerRequest request, Throwable error) {
        log.debug("Response to {} {} not sent: {}", request.method(), request.uri(), error.toString());
    }

    /**
     * The response body, written from the application's thread. Each chunk sent waits until it is
     * written (backpressure); the end of the response does not, so the thread is free at once.
     */
    private static final class Body extends OutputStream {
        private final HttpServerRequest request;
        private final HttpServerResponse response;
        private final boolean unknownLength;
        private final boolean streamable;
        private final long writeTimeoutMillis;
        private Buffer pending;
        private boolean closed;

        /** @param length the body's length, or negative when it is not known */
        Body(HttpServerRequest request, long length, boolean streamable, long writeTimeoutMillis) {
            this.request = request;
            this.writeTimeoutMillis = writeTimeoutMillis;
            this.response = request.response();
            this.unknownLength = length < 0;
            this.streamable = streamable;
            this.pending = Buffer.buffer(length > 0 && length < CHUNK ? (int) length : 512);
        }

        @Override
        public void write(int b) throws IOException {
            if (closed) {
                throw new IOException("the response body is closed");
            }
            pending.appendByte((byte) b);
            if (pending.length() >= CHUNK) {
                send();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("the response body is closed");
            }
            pending.appendBytes(b, off, len);
            if (pending.length() >= CHUNK) {
                send();
            }
        }

        @Override
        public void flush() throws IOException {
            if (!closed) {
                send();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                response.end(pending).onFailure(e -> notSent(request, e));
            }
        }

        private void send() throws IOException {
            if (!streamable || pending.length() == 0) {
                return;
            }
            if (unknownLength && !response.headWritten()) {
                response.setChunked(true);
            }
            Buffer chunk = pending;
            pending = Buffer.buffer();
            await(response.write(chunk));
            awaitDrain(); // the backpressure: Vert.x completes a write once queued, not once the client took it
        }

        /** Waits, at most the write timeout, while the connection's write queue is full. */
        private void awaitDrain() throws IOException {
            if (!response.writeQueueFull()) {
                return;
            }
            java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
            response.drainHandler(v -> drained.complete(null));
            if (!response.writeQueueFull()) {
                return; // drained meanwhile
            }
            await(Future.fromCompletionStage(drained));
        }

        private void await(Future<?> future) throws IOException {
            try {
                future.toCompletionStage().toCompletableFuture().get(writeTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                VertxWorker.cut(request);
                throw new WriteTimeout(writeTimeoutMillis);
            } catch (ExecutionException e) {
                throw new IOException("writing the response failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing the response");
            }
        }
    }

    private static String protocol(HttpVersion version) {
        return version == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
    }

    private static Headers headers(HttpServerRequest request) {
        Headers headers = new Headers();
        for (Map.Entry<String, String> e : request.headers()) {
            headers.add(e.getKey(), e.getValue());
        }
        return headers;
    }

    /** A unix socket peer has no IP address: it is reported as the loopback, port 0. */
    private static InetSocketAddress inet(SocketAddress address) {
        if (address == null || address.isDomainSocket() || address.hostAddress() == null) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
        return new InetSocketAddress(address.hostAddress(), address.port());
    }
}
