package io.qilin.worker.sync;

import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;

/** Gunicorn's {@code sync}: one request per connection, one at a time, {@code Connection: close}. */
public final class SyncKind implements WorkerKind {
    @Override
    public String name() {
        return "sync";
    }

    @Override
    public String description() {
        return "one request at a time per process, blocking, no keep-alive (Apache HttpCore 5)";
    }

    @Override
    public Worker create(WorkerContext context) {
        return new SyncWorker(context);
    }
}
