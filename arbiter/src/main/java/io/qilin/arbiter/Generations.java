package io.qilin.arbiter;

import io.qilin.arbiter.control.History;
import io.qilin.arbiter.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations of workers and what became of them. Generation 1 is the first start; each reload
 * starts the next number (never reused) with fresh settings. The current generation is the one
 * being served or booting; the stable one is the newest that was fully up, with its settings, which
 * a failed reload goes back to. Also keeps the {@link History} of reloads and worker exits.
 */
final class Generations {
    private static final Logger log = LoggerFactory.getLogger(Generations.class);

    private int current = 1;
    private int last = 1;
    private int stable = 1;
    private Settings stableSettings;
    private History history = History.EMPTY;

    Generations(Settings first) {
        this.stableSettings = first;
    }

    int current() {
        return current;
    }

    int stable() {
        return stable;
    }

    /** A reload's generation is booting and not yet fully up. */
    boolean reloading() {
        return current != stable;
    }

    Settings stableSettings() {
        return stableSettings;
    }

    History history() {
        return history;
    }

    /** Starts the next generation; a reload still booting is superseded by it. Returns its number. */
    int begin() {
        if (reloading()) {
            history = history.reloadEnded(current, "superseded",
                    "Generation " + current + " was superseded by generation " + (last + 1), last + 1);
        }
        current = ++last;
        return current;
    }

    /** A reload that could not start (settings, a new bind): logs it, and returns the message. */
    String refused(String why) {
        String message = "Reload failed: " + why + "; the running workers keep serving";
        log.error(message);
        history = history.reloadEnded(0, "refused", message, 0);
        return message;
    }

    /** The current generation is fully up and alone, with {@code settings}: logs it. */
    void complete(Settings settings, long readyWorkers) {
        stable = current;
        stableSettings = settings;
        String message = "Reload complete: generation " + current + " is serving (" + readyWorkers + " workers)";
        log.info(message);
        history = history.reloadEnded(current, "complete", message, 0);
    }

    /** The current generation could not boot: back to the stable one. Logs it, and returns the message. */
    String abandon(String why) {
        int failed = current;
        current = stable;
        String message = "Reload failed: generation " + failed + " could not boot (" + why + "); generation "
                + current + " keeps serving";
        log.error(message);
        history = history.reloadEnded(failed, "failed", message, 0);
        return message;
    }

    /** A serving worker is being replaced, for {@code cause}: see {@link History#recycled}. */
    void recycled(String cause) {
        history = history.recycled(cause);
    }

    /** A worker is gone; see {@link History#workerExited}. */
    void workerExited(WorkerProcess w, String reason, String detail, boolean restart, long requests) {
        history = history.workerExited(w.pid, w.generation, reason, detail, restart, requests);
    }
}
