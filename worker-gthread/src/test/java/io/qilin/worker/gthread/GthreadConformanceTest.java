package io.qilin.worker.gthread;

import io.qilin.tck.WorkerKindTck;
import java.util.List;

/** The gthread kind keeps the worker contract: the conformance kit under a real master. */
class GthreadConformanceTest extends WorkerKindTck {
    @Override
    protected String workerClass() {
        return GthreadKind.class.getName();
    }

    @Override
    protected List<String> kindArgs() {
        return List.of("--threads", "2");
    }
}
