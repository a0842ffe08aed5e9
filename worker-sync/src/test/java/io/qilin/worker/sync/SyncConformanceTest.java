package io.qilin.worker.sync;

import io.qilin.tck.WorkerKindTck;

/** The sync kind keeps the worker contract: the conformance kit under a real master. */
class SyncConformanceTest extends WorkerKindTck {
    @Override
    protected String workerClass() {
        return SyncKind.class.getName();
    }
}
