package io.qilin.worker.gthread;

import com.sun.net.httpserver.Headers;
import io.qilin.worker.Forwarded;
import io.qilin.worker.PortableExchange;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;

/**
 * A JDK {@code HttpExchange} over an Undertow exchange in blocking mode. The request headers are
 * copied into the JDK's {@code Headers} only when the application first asks for them.
 */
final class UndertowHttpExchange extends PortableExchange {
    private final HttpServerExchange exchange;
    private Headers requestHeaders;

    UndertowHttpExchange(HttpServerExchange exchange, URI uri, Forwarded forwarded, long maxBody) {
        super(exchange.getRequestMethod().toString(), uri, exchange.getProtocol().toString(),
                null, LimitedBody.of(exchange.getInputStream(), maxBody), exchange.getDestinationAddress(),
                forwarded.remote(exchange.getSourceAddress(), exchange.getRequestHeaders()::getFirst));
        this.exchange = exchange;
        setAttribute(Forwarded.SCHEME_ATTRIBUTE, forwarded.scheme(exchange.getSourceAddress(),
                exchange.getRequestHeaders()::getFirst, exchange.getConnection().getSslSessionInfo() != null));
        setSslSession(exchange.getConnection().getSslSession());
    }

    @Override
    public Headers getRequestHeaders() {
        if (requestHeaders == null) {
            requestHeaders = new Headers();
            for (HeaderValues values : exchange.getRequestHeaders()) {
                requestHeaders.put(values.getHeaderName().toString(), new ArrayList<>(values));
            }
        }
        return requestHeaders;
    }

    @Override
    protected OutputStream openResponse(int code, long length, Headers headers) {
        exchange.setStatusCode(code);
        HeaderMap out = exchange.getResponseHeaders();
        headers.forEach((name, values) -> out.putAll(HttpString.tryFromString(name), values));
        if (length >= 0) {
            out.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
        } else if (length == -1 && code >= 200 && code != 204 && code != 304
                && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            out.put(io.undertow.util.Headers.CONTENT_LENGTH, 0); // as the JDK server says "no body"
        }
        // UNKNOWN_LENGTH: no Content-Length, so Undertow streams the body chunked (or closes on HTTP/1.0)
        return exchange.getOutputStream();
    }
}
