package io.qilin.worker.vertx;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * A native Vert.x test application: {@code /} names its thread, {@code /boom} throws, {@code /later?ms=N}
 * answers after a timer, {@code /block?ms=N} blocks its event loop (as a faulty application would),
 * {@code /ws} upgrades to a WebSocket that echoes text messages.
 */
public class NativeApp implements Handler<HttpServerRequest> {
    @Override
    public void handle(HttpServerRequest request) {
        switch (request.path()) {
            case "/boom":
                throw new IllegalStateException("boom");
            case "/later":
                long ms = Long.parseLong(request.getParam("ms"));
                // a response end handler of its own, as Vert.x Web sets: the worker's bookkeeping must survive it
                request.response().endHandler(v -> { });
                Vertx.currentContext().owner().setTimer(ms, id -> request.response().end("later"));
                break;
            case "/block":
                try {
                    Thread.sleep(Long.parseLong(request.getParam("ms")));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                request.response().end("unblocked");
                break;
            case "/ws":
                request.toWebSocket().onSuccess(ws -> ws.textMessageHandler(ws::writeTextMessage));
                break;
            default:
                request.response().end("native " + Thread.currentThread().getName());
        }
    }
}
