package com.example.jetty;

import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.AccessLog;
import java.net.InetSocketAddress;
import java.time.ZonedDateTime;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request: Gunicorn's limits, the worker's bookkeeping, then the portable application on the
 * thread pool. Non-blocking, so Jetty calls it on the selector thread that parsed the request: that is
 * where {@code requestStarted} runs, and a selector thread that hangs there stops the heartbeat.
 */
final class AppHandler extends Handler.Abstract.NonBlocking {
    private static final Logger log = LoggerFactory.getLogger(AppHandler.class);

    /** What the handler needs from the worker: its bookkeeping and whether it is stopping. */
    interface Worker {
        void requestStarted(String requestLine);

        void requestFinished();

        boolean stopping();
    }

    private final HttpHandler app;
    private final Executor appThreads;
    private final Worker worker;
    private final AccessLog accessLog;
    private final Limits limits;
    /** How long a connection may wait for its next request, in ms (Jetty's idle timeout between requests). */
    private final long keepAlive;

    AppHandler(HttpHandler app, Executor appThreads, Worker worker, AccessLog accessLog, Limits limits, long keepAlive) {
        this.app = app;
        this.appThreads = appThreads;
        this.worker = worker;
        this.accessLog = accessLog;
        this.limits = limits;
        this.keepAlive = keepAlive;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String target = request.getHttpURI().getPathQuery();
        String line = request.getMethod() + " " + target + " " + request.getConnectionMetaData().getProtocol();
        String refused = limits.check(line, request.getHeaders());
        if (refused != null) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            Response.writeError(request, response, callback, refused.startsWith("Request line") ? 414 : 431, refused);
            return true;
        }
        worker.requestStarted(line);
        if (worker.stopping()) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        long startNanos = System.nanoTime();
        ZonedDateTime start = ZonedDateTime.now();
        // Jetty's idle timeout counts any time without I/O, a request the application is still working on
        // included; Qilin's --keep-alive is the wait between requests, and --timeout bounds a request
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        endPoint.setIdleTimeout(0);
        appThreads.execute(() -> {
            JettyExchange exchange = new JettyExchange(request, response);
            try {
                app.handle(exchange);
                if (!exchange.responseStarted()) {
                    exchange.sendResponseHeaders(500, -1);
                }
                exchange.close();
                endPoint.setIdleTimeout(keepAlive);
                callback.succeeded();
            } catch (Throwable e) {
                log.error("Error handling request {}", line, e);
                endPoint.setIdleTimeout(keepAlive);
                if (exchange.responseStarted()) {
                    callback.failed(e);
                } else {
                    Response.writeError(request, response, callback, 500, "Internal Server Error");
                }
            } finally {
                worker.requestFinished();
                logAccess(request, response, target, exchange, startNanos, start);
            }
        });
        return true;
    }

    private void logAccess(Request request, Response response, String target, JettyExchange exchange, long startNanos,
            ZonedDateTime start) {
        if (!accessLog.enabled()) {
            return;
        }
        InetSocketAddress peer = exchange.getRemoteAddress();
        accessLog.log(new AccessLog.Entry(peer == null ? null : peer.getAddress().getHostAddress(), request.getMethod(),
                target, request.getConnectionMetaData().getProtocol(), response.getStatus(), exchange.responseBytes(),
                System.nanoTime() - startNanos, start, request.getHeaders()::get, response.getHeaders()::get));
    }

    /** Gunicorn's --limit-request-line, --limit-request-fields and --limit-request-field-size. */
    static final class Limits {
        /** Gunicorn's hard cap on the request line, also its default field size. */
        static final int MAX_REQUEST_LINE = 8190;
        private static final int MAX_HEADER_FIELDS = 32768;
        final int line;
        final int fields;
        final int fieldSize;

        Limits(int line, int fields, int fieldSize) {
            this.line = line <= 0 || line > MAX_REQUEST_LINE ? MAX_REQUEST_LINE : line;
            this.fields = fields <= 0 || fields > MAX_HEADER_FIELDS ? MAX_HEADER_FIELDS : fields;
            this.fieldSize = fieldSize <= 0 ? MAX_REQUEST_LINE : fieldSize;
        }

        /** The bound on the whole header block for Jetty's parser; the checks above are per line and field. */
        int headerBlock() {
            return line + 2 + fields * (fieldSize + 2) + 2;
        }

        /** Why a request is refused, or null. */
        String check(String requestLine, Iterable<HttpField> headers) {
            if (requestLine.length() > line) {
                return "Request line is too large (limit " + line + ")";
            }
            int count = 0;
            for (HttpField h : headers) {
                if (++count > fields) {
                    return "Too many header fields (limit " + fields + ")";
                }
                // as Gunicorn counts a field: "name: value" and its CRLF
                if (h.getName().length() + h.getValue().length() + 4 > fieldSize) {
                    return "Header field " + h.getName() + " is too large (limit " + fieldSize + ")";
                }
            }
            return null;
        }
    }
}
