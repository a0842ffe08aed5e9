package io.qilin.worker.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * A vertx worker run in-process on a listener this test bound on 127.0.0.1. The worker owns the
 * listening socket's fd from then on (it closes it when it stops), so the test never closes the channel.
 */
final class RunningWorker implements AutoCloseable {
    final int port;
    final Worker worker;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RunningWorker(int port, Worker worker) {
        this.port = port;
        this.worker = worker;
        this.thread = new Thread(() -> {
            try {
                worker.initProcess();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "worker-run");
        thread.start();
    }

    /** Starts a worker with two event loops, on the settings the given function adds. */
    static RunningWorker start(UnaryOperator<WorkerConfig.Builder> settings) throws IOException {
        Listener listener = listenOnLoopback();
        return start(settings, List.of(listener), listener.spec().port());
    }

    /** A listening socket on 127.0.0.1, non-blocking as the master makes it (O_NONBLOCK matters to Netty). */
    static Listener listenOnLoopback() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 128);
        channel.configureBlocking(false);
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        return Listener.of(new ListenerSpec(-1, ListenerSpec.Family.INET, "127.0.0.1:" + port), channel);
    }

    static RunningWorker start(UnaryOperator<WorkerConfig.Builder> settings, List<Listener> listeners, int port) {
        WorkerConfig config = settings.apply(WorkerConfig.builder().set("THREADS", 2)).build();
        WorkerContext context = WorkerContext.standalone(config, listeners, RunningWorker.class.getClassLoader());
        return new RunningWorker(port, new VertxKind().create(context));
    }

    /** True once run() has returned, waiting up to the deadline. */
    boolean exited(Duration deadline) throws InterruptedException {
        thread.join(deadline.toMillis());
        return !thread.isAlive();
    }

    Throwable failure() {
        return failure.get();
    }

    /** Graceful stop; run() must return, without an exception. */
    @Override
    public void close() {
        worker.stop();
        try {
            assertThat(exited(Duration.ofSeconds(30))).as("run() returned after stop()").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for run() to return", e);
        }
        assertThat(failure.get()).as("run() failure").isNull();
    }
}
