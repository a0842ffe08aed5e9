package com.example.jetty;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages, except that a malformed HTTP version ({@code HTTP/x.y}) is a 400, as Gunicorn
 * answers it (Jetty's parser says 505 Version Not Supported; clause C9 wants a 4xx for a malformed request).
 */
final class BadRequestErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (response.getStatus() == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505
                || cause instanceof org.eclipse.jetty.http.HttpException e && e.getCode() == 505) {
            request.setAttribute(ERROR_EXCEPTION, null);
            response.setStatus(HttpStatus.BAD_REQUEST_400);
        }
        return super.handle(request, response, callback);
    }
}
