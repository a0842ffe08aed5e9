package io.qilin.worker.vertx;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads portable applications run on, off the event loops. On JDK 21+ a virtual thread per
 * request. Before, a pool that gives a request to an idle thread if one is waiting, else to a new
 * thread, up to {@code max}: with {@code max} at {@code --worker-connections} (a connection carries
 * one request at a time), a request never waits behind a blocked one. A thread idle for a minute ends.
 */
final class AppThreads {
    private static final long IDLE_SECONDS = 60;

    private AppThreads() {
    }

    static ExecutorService start(int max) {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException beforeJdk21) {
            return pool(max);
        }
    }

    static ExecutorService pool(int max) {
        HandOff handOff = new HandOff();
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, Math.max(1, max), IDLE_SECONDS, TimeUnit.SECONDS, handOff, task -> {
            Thread t = new Thread(task, "qilin-app-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (task, pool) -> handOff.enqueue(task)); // all max threads busy: the first one free takes it
    }

    /** Offers a task to an idle thread only, so that the pool starts a thread when none is idle. */
    private static final class HandOff extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
