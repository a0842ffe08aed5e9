package io.qilin.worker.gthread;

import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;

/** Gunicorn's {@code gthread}: a pool of task threads and keep-alive connections, on Undertow. */
public final class GthreadKind implements WorkerKind {
    @Override
    public String name() {
        return "gthread";
    }

    @Override
    public String description() {
        return "a pool of --threads per process, keep-alive connections (Undertow)";
    }

    @Override
    public Worker create(WorkerContext context) {
        return new GthreadWorker(context);
    }
}
