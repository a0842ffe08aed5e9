package com.example.jetty;

import io.qilin.tck.WorkerKindTck;
import java.util.List;

/** The Jetty kind keeps the worker contract: Qilin's conformance kit, run as any kind's author would. */
class JettyConformanceTest extends WorkerKindTck {
    @Override
    protected String workerClass() {
        return JettyKind.class.getName();
    }

    @Override
    protected List<String> kindArgs() {
        return List.of("--threads", "4");
    }
}
