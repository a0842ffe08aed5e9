package io.qilin.worker.gthread;

import io.qilin.worker.Listener;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerContext;
import io.qilin.worker.protocol.Scoreboard;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A gthread worker running in this JVM on a listener of its own, as the master would start it. */
final class RunningWorker implements AutoCloseable {
    /** How long a test waits for anything: a deadline, not a measured timing. */
    static final Duration DEADLINE = Duration.ofSeconds(30);

    final Worker worker;
    final int port;
    private final ServerSocketChannel channel;
    private final Thread thread;
    private volatile Throwable failure;

    private RunningWorker(Map<String, Object> settings, Scoreboard.Slot slot) throws IOException {
        channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        WorkerConfig.Builder config = WorkerConfig.builder()
                .set("APP", TestApp.class.getName())
                .set("THREADS", 4)
                .set("KEEP_ALIVE", 2)
                .set("GRACEFUL_TIMEOUT", 20);
        settings.forEach(config::set);
        Listener listener = Listener.of(new ListenerSpec(-1, ListenerSpec.Family.INET, "127.0.0.1:" + port), channel);
        WorkerContext context = slot == null
                ? WorkerContext.standalone(config.build(), List.of(listener), getClass().getClassLoader())
                : withSlot(config.build(), List.of(listener), slot);
        worker = new GthreadKind().create(context);
        thread = new Thread(() -> {
            try {
                worker.initProcess();
            } catch (Throwable t) {
                failure = t;
            }
        }, "worker-under-test");
        thread.start();
    }

    /** Starts a worker serving {@link TestApp}, with these settings on top of the test defaults. */
    static RunningWorker start(Map<String, Object> settings) throws IOException {
        return new RunningWorker(settings, null);
    }

    /** The same, reporting to a scoreboard slot (heartbeat, request counters) as under a master. */
    static RunningWorker start(Map<String, Object> settings, Scoreboard.Slot slot) throws IOException {
        return new RunningWorker(settings, slot);
    }

    /** A standalone context with a slot; the API offers none, as only the master hands out slots. */
    private static WorkerContext withSlot(WorkerConfig config, List<Listener> listeners, Scoreboard.Slot slot) {
        try {
            Constructor<WorkerContext> c = WorkerContext.class.getDeclaredConstructor(WorkerConfig.class, List.class,
                    Scoreboard.Slot.class, ClassLoader.class, boolean.class);
            c.setAccessible(true);
            return c.newInstance(config, listeners, slot, RunningWorker.class.getClassLoader(), false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("WorkerContext's constructor changed", e);
        }
    }

    /** True once {@code run()} has returned, normally, within the deadline. */
    boolean awaitExit(Duration deadline) throws InterruptedException {
        thread.join(deadline.toMillis());
        if (failure != null) {
            throw new AssertionError("the worker failed", failure);
        }
        return !thread.isAlive();
    }

    /** Polls until the condition holds; fails the test after 30 s. */
    static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + DEADLINE);
            }
            Thread.sleep(10);
        }
    }

    RawHttpClient connect() throws IOException {
        return new RawHttpClient(port);
    }

    @Override
    public void close() throws IOException {
        worker.stop();
        try {
            awaitExit(DEADLINE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            channel.close();
        }
    }
}
