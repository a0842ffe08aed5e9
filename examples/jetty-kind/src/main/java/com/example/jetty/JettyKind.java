package com.example.jetty;

import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.WorkerKind;

/** Jetty 12 on the master's sockets: selector threads read requests, a thread pool runs the application. */
public final class JettyKind implements WorkerKind {
    @Override
    public String name() {
        return "jetty";
    }

    @Override
    public String description() {
        return "Jetty 12: selector threads, a thread pool of --threads, keep-alive (example kind)";
    }

    @Override
    public Worker create(WorkerContext context) {
        return new JettyWorker(context);
    }
}
