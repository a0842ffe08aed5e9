package io.qilin.worker.sync;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpHandler;
import io.qilin.worker.AccessLog;
import io.qilin.worker.Forwarded;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.internal.StrictHttp1;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NotImplementedException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.RequestHeaderFieldsTooLargeException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.DefaultHttpRequestParser;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseWriterFactory;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one request on one connection: parse strictly (httpcore5 plus the framing and header checks
 * Gunicorn makes), call the application through {@link SyncExchange}, answer errors with Gunicorn's
 * status codes, and close.
 */
final class RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
    /** Gunicorn's MAX_REQUEST_LINE and the default field size: no line may be longer. */
    private static final int MAX_LINE = 8190;
    private static final int MAX_FIELDS = 32768;

    private final HttpHandler app;
    private final AccessLog accessLog;
    private final Forwarded forwarded;
    private final Consumer<String> started;
    private final Runnable finished;
    private final int limitLine;
    private final int limitFields;
    private final int limitFieldSize;
    private final int socketTimeoutMillis;
    private final long limitBody;
    private final Http1Config http1;

    RequestHandler(WorkerConfig config, HttpHandler app, Consumer<String> started, Runnable finished) {
        this.app = app;
        this.accessLog = AccessLog.fromConfig(config);
        this.forwarded = Forwarded.fromConfig(config);
        this.started = started;
        this.finished = finished;
        int line = config.limitRequestLine();
        this.limitLine = line <= 0 || line > MAX_LINE ? MAX_LINE : line;
        int fields = config.limitRequestFields();
        this.limitFields = fields <= 0 || fields > MAX_FIELDS ? MAX_FIELDS : fields;
        int size = config.limitRequestFieldSize();
        this.limitFieldSize = size <= 0 ? MAX_LINE : size;
        // only sockets the reactor did not buffer (TLS) are read here: each read within the header timeout,
        // and within half the heartbeat timeout, so a silent client never gets the worker aborted
        int readSeconds = config.timeout() > 0 ? Math.min(config.headerTimeout(), Math.max(1, config.timeout() / 2))
                : config.headerTimeout();
        this.socketTimeoutMillis = Math.max(1, readSeconds) * 1000;
        this.limitBody = config.limitRequestBody();
        // httpcore5 gets the loosest limits; the exact ones are checked below, where we know which limit it was
        this.http1 = Http1Config.custom()
                .setMaxLineLength(Math.max(limitLine, limitFieldSize) + 2)
                .setMaxHeaderCount(limitFields)
                .build();
    }

    void serve(Socket socket) {
        serve(socket, null);
    }

    /** Serves a connection whose PROXY header named {@code client} (null: the peer is the client). */
    void serve(Socket socket, InetSocketAddress client) {
        LineTrackingParser parser = new LineTrackingParser(http1);
        CheckedConnection conn = new CheckedConnection(http1, parser);
        boolean counted = false;
        try (socket) {
            socket.setSoTimeout(socketTimeoutMillis);
            socket.setTcpNoDelay(true);
            conn.bind(socket);
            ClassicHttpRequest request;
            try {
                request = conn.receiveRequestHeader();
                if (request == null) {
                    return; // closed before sending anything
                }
                validate(request, parser.requestLineLength());
                if (tooLarge(request)) {
                    ErrorPage.write(socket.getOutputStream(), 413, "Request body too large (limit " + limitBody + " bytes)");
                    return;
                }
                conn.receiveRequestEntity(request);
            } catch (CheckedInput.MalformedRequestException e) {
                log.warn("Invalid request from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
                ErrorPage.write(socket.getOutputStream(), e.violation.status(), e.getMessage());
                return;
            } catch (HttpException | MessageConstraintException e) {
                int status = statusOf(e, parser.requestLineLength() >= 0);
                log.warn("Invalid request from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
                ErrorPage.write(socket.getOutputStream(), status, e.getMessage());
                return;
            }
            String line = request.getMethod() + " " + request.getRequestUri() + " " + request.getVersion();
            log.debug("Handling {}", line); // it-tests wait for this line
            started.accept(line);
            counted = true;
            handle(socket, client, conn, request);
        } catch (ConnectionClosedException | SocketTimeoutException e) {
            log.debug("connection ended early: {}", e.toString());
        } catch (IOException e) {
            log.debug("socket error processing request: {}", e.toString());
        } finally {
            if (counted) {
                finished.run();
            }
        }
    }

    private void handle(Socket socket, InetSocketAddress client, CheckedConnection conn, ClassicHttpRequest request)
            throws IOException {
        ProtocolVersion version = request.getVersion() == null ? HttpVersion.HTTP_1_1 : request.getVersion();
        Header expect = request.getFirstHeader("Expect");
        if (expect != null && version.greaterEquals(HttpVersion.HTTP_1_1)) {
            if (!"100-continue".equalsIgnoreCase(expect.getValue().trim())) {
                ErrorPage.write(socket.getOutputStream(), 417, "Unsupported expectation: " + expect.getValue());
                return;
            }
        }
        if (expect != null && version.greaterEquals(HttpVersion.HTTP_1_1)
                && !(socket instanceof BufferedSocket && ((BufferedSocket) socket).continueSent())) {
            OutputStream raw = socket.getOutputStream();
            raw.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.flush();
        }
        URI uri;
        try {
            uri = new URI(request.getRequestUri());
        } catch (URISyntaxException e) {
            ErrorPage.write(socket.getOutputStream(), 400, "Invalid request target '" + request.getRequestUri() + "'");
            return;
        }
        Headers headers = new Headers();
        for (Header h : request.getHeaders()) {
            headers.add(h.getName(), h.getValue());
        }
        HttpEntity entity = request.getEntity();
        BodyStream body = new BodyStream(entity == null ? InputStream.nullInputStream() : entity.getContent());
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        InetSocketAddress peer = client != null ? client : (InetSocketAddress) remoteAddress(socket);
        SyncExchange exchange = new SyncExchange(request.getMethod(), uri, version, headers, body,
                (InetSocketAddress) localAddress(socket), forwarded.remote(peer, headers::getFirst), out,
                socket instanceof javax.net.ssl.SSLSocket ? ((javax.net.ssl.SSLSocket) socket).getSession() : null);
        exchange.setAttribute(Forwarded.SCHEME_ATTRIBUTE, forwarded.scheme(peer, headers::getFirst,
                socket instanceof javax.net.ssl.SSLSocket));
        long startNanos = System.nanoTime();
        java.time.ZonedDateTime start = java.time.ZonedDateTime.now();
        try {
            respond(socket, request, uri, body, out, exchange);
        } finally {
            if (accessLog.enabled()) {
                accessLog.log(new AccessLog.Entry(client == null && socket.getRemoteSocketAddress() == null ? null
                        : peer.getAddress().getHostAddress(), request.getMethod(), request.getRequestUri(),
                        version.toString(), exchange.responseStarted() ? exchange.getResponseCode() : 500,
                        exchange.responseBytes(), System.nanoTime() - startNanos, start, headers::getFirst,
                        exchange.getResponseHeaders()::getFirst));
            }
        }
    }

    private void respond(Socket socket, ClassicHttpRequest request, URI uri, BodyStream body, OutputStream out,
            SyncExchange exchange) throws IOException {
        try {
            app.handle(exchange);
            if (!exchange.responseStarted()) {
                log.error("Application returned without sending a response: {} {}", request.getMethod(), uri);
                ErrorPage.write(out, 500, "");
            }
            exchange.close();
            out.flush();
        } catch (Exception | StackOverflowError e) {
            if (e instanceof ChannelOutput.WriteTimeoutException) {
                log.warn("Reset the connection of {} {} from {}: {}", request.getMethod(), uri,
                        socket.getRemoteSocketAddress(), e.getMessage());
                socket.setSoLinger(true, 0); // as nginx's reset_timedout_connection: drop the unsent response now
                return;
            }
            if (body.failure != null) {
                log.warn("Invalid request body from {}: {}", socket.getRemoteSocketAddress(), body.failure.getMessage());
                if (!exchange.responseStarted()) {
                    ErrorPage.write(out, 400, body.failure.getMessage());
                }
            } else if (!exchange.responseStarted()) {
                log.error("Error handling request {} {}", request.getMethod(), uri, e);
                ErrorPage.write(out, 500, "");
            } else {
                log.error("Error handling request {} {} after the response started; closing the connection",
                        request.getMethod(), uri, e);
            }
            out.flush();
            return;
        }
        if (!body.atEnd()) {
            closeGracefully(socket);
        }
    }

    /** Half-close and drain a little, so unread request bytes do not turn our close into a reset. */
    private static void closeGracefully(Socket socket) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(2000);
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            int total = 0;
            int n;
            while (total < 65536 && (n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException ignored) {
            // the client went away; nothing left to protect
        }
    }

    private void validate(ClassicHttpRequest request, int requestLineLength) throws ProtocolException {
        if (requestLineLength > limitLine) {
            throw new ProtocolException("Request Line is too large (" + requestLineLength + " > " + limitLine + ")");
        }
        int hosts = 0;
        int contentTypes = 0;
        for (Header h : request.getHeaders()) {
            String name = h.getName();
            if (name.length() + 2 + h.getValue().length() > limitFieldSize) {
                throw new RequestHeaderFieldsTooLargeException("limit request headers fields size");
            }
            if (name.equalsIgnoreCase("Host")) {
                hosts++;
            } else if (name.equalsIgnoreCase("Content-Type")) {
                contentTypes++;
            }
        }
        if (hosts > 1 || contentTypes > 1) {
            throw new ProtocolException("Duplicate " + (hosts > 1 ? "Host" : "Content-Type") + " header");
        }
    }

    /** True when the declared body is over --limit-request-body (the reactor has already refused a chunked one). */
    private boolean tooLarge(ClassicHttpRequest request) {
        Header length = request.getFirstHeader("Content-Length");
        if (limitBody <= 0 || length == null) {
            return false;
        }
        try {
            return Long.parseLong(length.getValue().trim()) > limitBody;
        } catch (NumberFormatException e) {
            return false; // the framing check refuses it
        }
    }

    /** Gunicorn's status for a request it refuses (reference §7.3). */
    static int statusOf(Exception e, boolean requestLineRead) {
        if (e instanceof RequestHeaderFieldsTooLargeException || e instanceof MessageConstraintException) {
            // httpcore5 reports any line over its limit this way: the request line gets 400 (LimitRequestLine)
            return requestLineRead ? 431 : 400;
        }
        if (e instanceof NotImplementedException) {
            return 501;
        }
        return 400;
    }

    private static java.net.SocketAddress localAddress(Socket s) {
        return s.getLocalSocketAddress() instanceof InetSocketAddress ? s.getLocalSocketAddress()
                : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    private static java.net.SocketAddress remoteAddress(Socket s) {
        return s.getRemoteSocketAddress() instanceof InetSocketAddress ? s.getRemoteSocketAddress()
                : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }

    /** Remembers a malformed body (bad chunking), so the failure is answered with 400, not 500. */
    private static final class BodyStream extends FilterInputStream {
        IOException failure;
        private boolean eof;

        BodyStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                eof |= b < 0;
                return b;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                eof |= n < 0;
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        boolean atEnd() {
            if (eof) {
                return true;
            }
            try {
                return super.read() < 0;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            // closing httpcore5's content stream would read the rest of the body; the socket close ends it
        }
    }

    /** httpcore5's server connection, reading its socket through {@link CheckedInput}: Qilin's rules come first. */
    private static final class CheckedConnection extends DefaultBHttpServerConnection {
        private final StrictHttp1 rules = new StrictHttp1();

        CheckedConnection(Http1Config http1, LineTrackingParser parser) {
            super("http", http1, null, null, StrictFraming.INSTANCE, null, cfg -> parser,
                    DefaultHttpResponseWriterFactory.INSTANCE);
        }

        @Override
        public void bind(Socket socket) throws IOException {
            bind(new SocketHolder(socket) {
                @Override
                protected InputStream getInputStream(Socket s) throws IOException {
                    return new CheckedInput(super.getInputStream(s), rules);
                }
            });
        }
    }

    /** httpcore5's request parser, noting the request line's length so the line limits can be told apart. */
    private static final class LineTrackingParser extends DefaultHttpRequestParser {
        private int requestLineLength = -1;

        LineTrackingParser(Http1Config config) {
            super(StrictLineParser.INSTANCE, null, config);
        }

        @Override
        protected ClassicHttpRequest createMessage(CharArrayBuffer buffer) throws IOException, HttpException {
            requestLineLength = buffer.length();
            return super.createMessage(buffer);
        }

        int requestLineLength() {
            return requestLineLength;
        }
    }

    static String reason(int code) {
        String r = EnglishReasonPhraseCatalog.INSTANCE.getReason(code, java.util.Locale.ENGLISH);
        return r == null ? "Unknown" : r;
    }
}
