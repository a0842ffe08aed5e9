package io.qilin.arbiter;

import static io.qilin.arbiter.settings.Settings.BOOT_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.TIMEOUT;

import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Signals;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timeouts (Gunicorn's {@code murder_workers}). A ready worker whose heartbeat has not moved for
 * {@code --timeout} seconds gets ABRT (it writes a thread dump and exits 1); one still there
 * {@link #ABORT_GRACE_SECONDS} later gets KILL. A worker not ready within {@code --boot-timeout} is killed.
 */
final class WorkerTimeouts {
    private static final Logger log = LoggerFactory.getLogger(WorkerTimeouts.class);

    /** Time an aborted worker has to write its thread dump and exit before SIGKILL (Gunicorn gives ~1 s). */
    static final int ABORT_GRACE_SECONDS = 5;

    private final WorkerTable workers;
    private final ProcessTable processes;

    WorkerTimeouts(WorkerTable workers, ProcessTable processes) {
        this.workers = workers;
        this.processes = processes;
    }

    void check(Settings settings) {
        long now = processes.nanoTime();
        for (WorkerProcess w : workers.all()) {
            if (!w.ready) {
                if (!w.bootTimedOut && now - w.spawnedAt > TimeUnit.SECONDS.toNanos(settings.get(BOOT_TIMEOUT))) {
                    log.error("Worker (pid:{}) was not ready after {} s (--boot-timeout); killing it", w.pid,
                            settings.get(BOOT_TIMEOUT));
                    w.bootTimedOut = true;
                    processes.kill(w.pid, Signals.KILL);
                }
                continue;
            }
            long beats = workers.slot(w).beats();
            if (beats != w.lastBeats) {
                w.lastBeats = beats;
                w.lastBeatAt = now;
                continue;
            }
            int timeout = settings.get(TIMEOUT);
            long silentNanos = now - w.lastBeatAt;
            if (timeout <= 0 || silentNanos <= TimeUnit.SECONDS.toNanos(timeout)) {
                continue;
            }
            if (!w.aborted) {
                // it-tests match this line
                log.error("WORKER TIMEOUT (pid:{}): no heartbeat for {} s (--timeout {}); sending SIGABRT",
                        w.pid, TimeUnit.NANOSECONDS.toSeconds(silentNanos), timeout);
                w.aborted = true;
                w.lastBeatAt = now - TimeUnit.SECONDS.toNanos(timeout); // KILL after ABORT_GRACE_SECONDS
                processes.kill(w.pid, Signals.ABRT);
            } else if (silentNanos > TimeUnit.SECONDS.toNanos(timeout + ABORT_GRACE_SECONDS)) {
                log.error("Worker (pid:{}) did not exit after SIGABRT; sending SIGKILL", w.pid);
                processes.kill(w.pid, Signals.KILL);
            }
        }
    }
}
