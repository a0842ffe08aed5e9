package io.qilin.worker.gthread;

import io.qilin.worker.Forwarded;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Serves a portable JDK {@link com.sun.net.httpserver.HttpHandler}. Runs on a task thread with the
 * exchange in blocking mode (inside a {@link io.undertow.server.handlers.BlockingHandler}). As in
 * Gunicorn, an application error before the response started is a 500 and closes the connection; after
 * it started, the connection is cut so the client cannot take a truncated response for a whole one.
 */
final class PortableHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(PortableHandler.class);

    private final com.sun.net.httpserver.HttpHandler app;
    private final Forwarded forwarded;
    /** --limit-request-body, 0 for none. */
    private final long maxBody;

    PortableHandler(com.sun.net.httpserver.HttpHandler app, Forwarded forwarded, long maxBody) {
        this.app = app;
        this.forwarded = forwarded;
        this.maxBody = maxBody;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String target = GthreadWorker.target(exchange);
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            GthreadWorker.refuse(exchange, StatusCodes.BAD_REQUEST);
            return;
        }
        UndertowHttpExchange portable = new UndertowHttpExchange(exchange, uri, forwarded, maxBody);
        try {
            app.handle(portable);
            if (!portable.responseStarted()) {
                throw new IllegalStateException("the application returned without calling sendResponseHeaders()");
            }
            portable.close();
        } catch (Exception | Error e) {
            if (e instanceof IOException) { // a broken connection or request body: no application bug
                log.warn("Error handling request {}: {}", target, e.toString());
            } else {
                log.error("Error handling request {}", target, e);
            }
            if (portable.responseStarted() || exchange.isResponseStarted()) {
                IoUtils.safeClose(exchange.getConnection());
            } else {
                exchange.setStatusCode(e instanceof LimitedBody.TooLarge
                        ? StatusCodes.REQUEST_ENTITY_TOO_LARGE : StatusCodes.INTERNAL_SERVER_ERROR);
                exchange.setPersistent(false);
            }
        }
    }
}
