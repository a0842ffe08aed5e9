package com.example.jetty;

import com.sun.net.httpserver.Headers;
import io.qilin.worker.PortableExchange;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** A Jetty request and response as the JDK's {@code HttpExchange}, for portable applications. */
final class JettyExchange extends PortableExchange {
    private final Response response;

    JettyExchange(Request request, Response response) {
        super(request.getMethod(), URI.create(request.getHttpURI().getPathQuery()),
                request.getConnectionMetaData().getProtocol(), headers(request), body(request),
                inet(request.getConnectionMetaData().getLocalSocketAddress()),
                inet(request.getConnectionMetaData().getRemoteSocketAddress()));
        this.response = response;
    }

    @Override
    protected OutputStream openResponse(int code, long length, Headers headers) {
        response.setStatus(code);
        headers.forEach((name, values) -> values.forEach(value -> response.getHeaders().add(name, value)));
        if (length >= 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        } else if (length == -1 && code >= 200 && code != 204 && code != 304) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        }
        return Content.Sink.asOutputStream(response);
    }

    private static Headers headers(Request request) {
        Headers headers = new Headers();
        for (HttpField field : request.getHeaders()) {
            headers.add(field.getName(), field.getValue());
        }
        return headers;
    }

    /** The request body; an empty stream when the request says it has none (nothing to read from Jetty). */
    private static java.io.InputStream body(Request request) {
        boolean none = request.getLength() == 0 || request.getLength() < 0
                && !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        return none ? java.io.InputStream.nullInputStream() : Content.Source.asInputStream(request);
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
    }
}
