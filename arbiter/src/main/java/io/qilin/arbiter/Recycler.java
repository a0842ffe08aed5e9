package io.qilin.arbiter;

import static io.qilin.arbiter.settings.Settings.MAX_RECYCLING;
import static io.qilin.arbiter.settings.Settings.MAX_WORKER_MEMORY;

import io.qilin.arbiter.settings.Settings;
import io.qilin.worker.protocol.Scoreboard;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recycling with a budget, replacement first. A serving worker that asked to be replaced (it reached
 * {@code --max-requests}: its slot says RECYCLE) or whose resident memory stayed over
 * {@code --max-worker-memory} for {@link #MEMORY_CHECKS} checks a second apart is marked; the master
 * then counts it out of the workers it keeps and so starts a replacement, and TERMs it once enough
 * other workers are ready. At most {@code --max-recycling} workers are marked at once, counting each
 * until it is reaped; the rest wait their turn, serving. A worker that stopped accepting on its own
 * (a request timeout) is noted so that its replacement starts while it finishes its requests.
 */
final class Recycler {
    private static final Logger log = LoggerFactory.getLogger(Recycler.class);

    /** Checks in a row over the limit before a worker is recycled: one high reading is not a trend. */
    static final int MEMORY_CHECKS = 3;
    static final long MEMORY_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WorkerTable workers;
    private final ProcessTable processes;
    private final Generations generations;

    Recycler(WorkerTable workers, ProcessTable processes, Generations generations) {
        this.workers = workers;
        this.processes = processes;
        this.generations = generations;
    }

    /**
     * Notes workers draining on their own, and marks for recycling, oldest first and within the
     * budget, serving workers of the current generation over a limit. Nothing is recycled during a
     * reload: the reload replaces every worker anyway.
     */
    void select(Settings settings) {
        long now = processes.nanoTime();
        int budget = settings.get(MAX_RECYCLING);
        long out = workers.count(w -> w.recycling != null);
        for (WorkerProcess w : workers.active(w -> w.ready && !w.drainingOnItsOwn)) {
            Scoreboard.State state = workers.slot(w).state();
            if (state == Scoreboard.State.DRAINING) {
                w.drainingOnItsOwn = true;
                log.info("Worker (pid:{}) stopped accepting on its own; starting its replacement", w.pid);
                continue;
            }
            if (w.recycling != null || w.generation != generations.current() || generations.reloading()) {
                continue;
            }
            String why = null;
            if (state == Scoreboard.State.RECYCLE) {
                why = "it served its --max-requests (" + workers.slot(w).requests() + " requests)";
            } else if (overMemory(w, settings.get(MAX_WORKER_MEMORY), now)) {
                why = "its resident memory stayed above --max-worker-memory " + settings.get(MAX_WORKER_MEMORY)
                        + " bytes for " + MEMORY_CHECKS + " checks";
            }
            if (why != null && out < budget) {
                w.recycling = state == Scoreboard.State.RECYCLE ? "max_requests" : "memory";
                out++;
                generations.recycled(w.recycling);
                log.info("Recycling worker (pid:{}): {}; starting its replacement first", w.pid, why);   // it-tests match this
            }
        }
    }

    /** Once {@code readyStaying} workers keep the count, the recycled workers have been replaced: TERMs them. */
    void retireReplaced(long readyStaying, int numWorkers, Consumer<WorkerProcess> retire) {
        if (readyStaying < numWorkers) {
            return;
        }
        for (WorkerProcess w : workers.active(w -> w.recycling != null)) {
            log.info("Worker (pid:{}) has been replaced ({}); stopping it", w.pid, w.recycling);
            retire.accept(w);
        }
    }

    /** Reads the worker's RSS at most once a second; true once it was over {@code limit} that many checks in a row. */
    private boolean overMemory(WorkerProcess w, long limit, long now) {
        if (limit <= 0 || now - w.lastMemoryCheckAt < MEMORY_CHECK_NANOS) {
            return limit > 0 && w.memoryChecksOver >= MEMORY_CHECKS;
        }
        w.lastMemoryCheckAt = now;
        long rss = processes.residentBytes(w.pid);
        w.memoryChecksOver = rss > limit ? w.memoryChecksOver + 1 : 0;
        return w.memoryChecksOver >= MEMORY_CHECKS;
    }
}
