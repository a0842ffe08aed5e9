package io.qilin.it.apps;

import io.undertow.server.HttpServerExchange;

/**
 * A native Undertow handler, so it runs on the I/O thread: {@code /hang} blocks that thread for
 * good (a stuck I/O loop), anything else answers the pid.
 */
public class StuckIoApp implements io.undertow.server.HttpHandler {
    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestPath().equals("/hang")) {
            System.err.println("StuckIoApp: blocking the I/O thread " + Thread.currentThread().getName());
            Thread.sleep(Long.MAX_VALUE);
        }
        exchange.getResponseSender().send(Long.toString(ProcessHandle.current().pid()));
    }
}
