package io.qilin.worker.vertx;

import io.qilin.tck.WorkerKindTck;

/** The vertx kind keeps the worker contract: the conformance kit under a real master. */
class VertxConformanceTest extends WorkerKindTck {
    @Override
    protected String workerClass() {
        return VertxKind.class.getName();
    }
}
