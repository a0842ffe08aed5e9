package io.qilin.it.apps;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * A native Vert.x handler, so it runs on an event loop: {@code /hang} blocks that loop for good,
 * anything else answers the pid and the loop's thread name.
 */
public class BlockingLoopApp implements Handler<HttpServerRequest> {
    @Override
    public void handle(HttpServerRequest request) {
        if (request.path().equals("/hang")) {
            System.err.println("BlockingLoopApp: blocking " + Thread.currentThread().getName());
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        request.response().end(ProcessHandle.current().pid() + " " + Thread.currentThread().getName());
    }
}
