package io.qilin.worker;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSession;

/**
 * A JDK {@link HttpExchange} over any server's request, so portable {@link HttpHandler} applications
 * run on every worker kind. A kind fills in the request and implements {@link #openResponse}; the
 * JDK's rules hold: {@code sendResponseHeaders(code, n)} with n &gt; 0 is a fixed length, 0 an
 * unknown length, -1 no body.
 *
 * <p>It is an {@link HttpsExchange} on every connection: {@link #getSSLSession()} is the TLS session
 * (the client's certificates: {@code getSSLSession().getPeerCertificates()}), or null on plain HTTP;
 * the attribute {@value Forwarded#SCHEME_ATTRIBUTE} says which.
 */
public abstract class PortableExchange extends HttpsExchange {
    /** Passed to {@link #openResponse} for a body whose length is not known in advance. */
    protected static final long UNKNOWN_LENGTH = -2;

    private final String method;
    private final URI uri;
    private final String protocol;
    private final Headers requestHeaders;
    private final Headers responseHeaders = new Headers();
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final Map<String, Object> attributes = new HashMap<>();
    private InputStream in;
    private OutputStream out;
    private OutputStream wire;
    private int responseCode = -1;
    private long responseBytes;
    private SSLSession sslSession;

    protected PortableExchange(String method, URI uri, String protocol, Headers requestHeaders,
            InputStream body, InetSocketAddress local, InetSocketAddress remote) {
        this.method = method;
        this.uri = uri;
        this.protocol = protocol;
        this.requestHeaders = requestHeaders;
        this.in = body;
        this.local = local;
        this.remote = remote;
        this.out = new FilterOutputStream(OutputStream.nullOutputStream()) {
            @Override
            public void write(int b) throws IOException {
                wire().write(b);
                responseBytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                wire().write(b, off, len);
                responseBytes += len;
            }

            @Override
            public void flush() throws IOException {
                if (wire != null) {
                    wire.flush();
                }
            }

            @Override
            public void close() throws IOException {
                if (wire != null) {
                    wire.close();
                }
            }
        };
    }

    /**
     * Writes the status line and headers and returns the stream the body goes to.
     *
     * @param length the body's length, -1 for no body, or {@link #UNKNOWN_LENGTH}
     */
    protected abstract OutputStream openResponse(int code, long length, Headers headers) throws IOException;

    /** Body bytes the application wrote, for the access log. */
    public final long responseBytes() {
        return responseBytes;
    }

    /** True once the status line and headers have gone out. */
    public final boolean responseStarted() {
        return responseCode >= 0;
    }

    private OutputStream wire() throws IOException {
        if (wire == null) {
            throw new IOException("sendResponseHeaders() must be called before writing the response body");
        }
        return wire;
    }

    @Override
    public final void sendResponseHeaders(int code, long length) throws IOException {
        if (responseCode >= 0) {
            throw new IOException("response headers already sent");
        }
        responseCode = code;
        boolean noBody = length < 0 || "HEAD".equals(method) || code < 200 || code == 204 || code == 304;
        long wireLength = noBody ? -1 : length == 0 ? UNKNOWN_LENGTH : length;
        OutputStream body = openResponse(code, wireLength, responseHeaders);
        wire = noBody ? OutputStream.nullOutputStream() : length > 0 ? new FixedLength(body, length) : body;
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return ROOT_CONTEXT;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the request body is of no further use
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // the kind notices a broken connection itself
        }
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return remote;
    }

    @Override
    public int getResponseCode() {
        return responseCode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return local;
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    /** The connection's TLS session, or null on plain HTTP. */
    @Override
    public SSLSession getSSLSession() {
        return sslSession;
    }

    /** Set by the kind on a TLS connection. */
    protected final void setSslSession(SSLSession session) {
        this.sslSession = session;
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    /** Enforces a declared Content-Length as the JDK server does. */
    private static final class FixedLength extends FilterOutputStream {
        private long remaining;

        FixedLength(OutputStream out, long length) {
            super(out);
            this.remaining = length;
        }

        @Override
        public void write(int b) throws IOException {
            if (remaining <= 0) {
                throw new IOException("too many bytes to write to stream");
            }
            out.write(b);
            remaining--;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) {
                throw new IOException("too many bytes to write to stream");
            }
            out.write(b, off, len);
            remaining -= len;
        }

        @Override
        public void close() throws IOException {
            if (remaining > 0) {
                throw new IOException("insufficient bytes written to stream: " + remaining + " missing");
            }
            out.close();
        }
    }

    private static final HttpContext ROOT_CONTEXT = new HttpContext() {
        private final Map<String, Object> attributes = new HashMap<>();
        private final List<Filter> filters = new ArrayList<>();

        @Override
        public HttpHandler getHandler() {
            return null;
        }

        @Override
        public void setHandler(HttpHandler handler) {
            throw new UnsupportedOperationException("the handler is the application Qilin loaded");
        }

        @Override
        public String getPath() {
            return "/";
        }

        @Override
        public HttpServer getServer() {
            return null;
        }

        @Override
        public Map<String, Object> getAttributes() {
            return attributes;
        }

        @Override
        public List<Filter> getFilters() {
            return filters;
        }

        @Override
        public Authenticator setAuthenticator(Authenticator auth) {
            return null;
        }

        @Override
        public Authenticator getAuthenticator() {
            return null;
        }
    };
}
