package io.qilin.worker.vertx;

import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;

/** The {@code vertx} worker kind: event loops on Vert.x 5 with native epoll (Gunicorn's async workers). */
public final class VertxKind implements WorkerKind {

    @Override
    public String name() {
        return "vertx";
    }

    @Override
    public String description() {
        return "async: Vert.x event loops on native epoll, --threads loops per worker, keep-alive";
    }

    @Override
    public Worker create(WorkerContext context) {
        return new VertxWorker(context);
    }
}
