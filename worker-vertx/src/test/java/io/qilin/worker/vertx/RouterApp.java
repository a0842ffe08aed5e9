package io.qilin.worker.vertx;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.concurrent.atomic.AtomicInteger;

/** A Vert.x Web application given as a factory: each router says which instance and thread served. */
public final class RouterApp {
    static final AtomicInteger created = new AtomicInteger();

    private RouterApp() {
    }

    public static Router router(Vertx vertx) {
        int id = created.incrementAndGet();
        Router router = Router.router(vertx);
        router.get("/hello/:name").handler(ctx -> ctx.response().putHeader("content-type", "text/plain")
                .end("hello " + ctx.pathParam("name") + " from router " + id + " on " + Thread.currentThread().getName()));
        router.get("/boom").handler(ctx -> {
            throw new IllegalStateException("boom");
        });
        return router;
    }
}
