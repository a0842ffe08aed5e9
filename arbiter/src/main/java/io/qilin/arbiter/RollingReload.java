package io.qilin.arbiter;

import io.qilin.arbiter.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reload replaces the workers in batches of {@code --reload-batch}: a batch of new workers boots
 * (and warms up) while the old generation serves with all its workers, each old worker is retired as
 * a new one becomes ready, and the next batch starts once the whole batch is ready. So no more than a
 * batch of JVMs boots on the serving workers' CPUs at once, and a generation that cannot boot fails
 * within its first batch, before any old worker has left. Outside a reload (first start, a crash) the
 * missing workers all start at once: nothing would be served by waiting.
 */
final class RollingReload {
    private static final Logger log = LoggerFactory.getLogger(RollingReload.class);

    private final WorkerTable workers;
    private final Generations generations;

    RollingReload(WorkerTable workers, Generations generations) {
        this.workers = workers;
        this.generations = generations;
    }

    /** How many of the {@code missing} workers of the current generation may be spawned now. */
    int spawnable(int missing, Settings settings, int numWorkers) {
        if (missing <= 0 || !generations.reloading()) {
            return Math.max(0, missing);
        }
        int generation = generations.current();
        if (workers.any(w -> w.generation == generation && !w.ready && !w.retiring)) {
            return 0;   // the batch is still booting
        }
        return Math.min(Settings.reloadBatch(settings.get(Settings.RELOAD_BATCH), numWorkers), missing);
    }

    /** Logs the start of a batch of {@code started} workers, if a reload is running. */
    void started(int started, Settings settings, int numWorkers) {
        if (started <= 0 || !generations.reloading()) {
            return;
        }
        int generation = generations.current();
        int batch = Settings.reloadBatch(settings.get(Settings.RELOAD_BATCH), numWorkers);
        int batches = Settings.reloadBatches(batch, numWorkers);
        long ready = workers.count(w -> w.generation == generation && w.ready && w.staying());
        // it-tests match this line
        log.info("Reload: generation {}, batch {} of {}: started {} worker(s); {} old worker(s) serving", generation,
                Settings.reloadBatchOf(ready, batch, batches), batches, started,
                workers.count(w -> w.generation != generation && !w.retiring));
    }
}
