package io.qilin.examples.web;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * A Vert.x Web application on the vertx worker: {@code qilin -k vertx io.qilin.examples.web.HelloRouter::router}.
 * The worker calls {@link #router} once per event loop, as it deploys verticles.
 */
public final class HelloRouter {
    private HelloRouter() {
    }

    public static Router router(Vertx vertx) {
        Router router = Router.router(vertx);
        router.get("/").handler(ctx -> ctx.response().putHeader("content-type", "text/plain").end("Hello, World!\n"));
        router.get("/hello/:name").handler(ctx -> ctx.json(new JsonObject()
                .put("greeting", "Hello, " + ctx.pathParam("name") + "!")
                .put("pid", ProcessHandle.current().pid())));
        router.post("/echo").handler(BodyHandler.create()).handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain").end(ctx.body().asString()));
        return router;
    }
}
