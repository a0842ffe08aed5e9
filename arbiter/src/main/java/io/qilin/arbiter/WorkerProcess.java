package io.qilin.arbiter;

import io.qilin.arbiter.control.History;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.spawn.Processes;
import io.qilin.worker.ExitCodes;
import io.qilin.worker.internal.Scoreboard;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The master's record of one worker process. Touched only by the loop thread. */
final class WorkerProcess {
    final long pid;
    /** Spawn order: higher is newer; the oldest is retired first. */
    final int age;
    final int generation;
    final int slot;
    final long spawnedAt;
    boolean ready;
    /** Sent TERM by the master (culled or replaced); awaiting its exit. */
    boolean retiring;
    /** Sent ABRT after a timeout; the next pass over the limit sends KILL. */
    boolean aborted;
    /** Killed for not becoming ready within --boot-timeout. */
    boolean bootTimedOut;
    long lastBeats = -1;
    long lastBeatAt;

    WorkerProcess(long pid, int age, int generation, int slot, long now) {
        this.pid = pid;
        this.age = age;
        this.generation = generation;
        this.slot = slot;
        this.spawnedAt = now;
        this.lastBeatAt = now;
    }

    /** It exited before it was ready because it could not boot: too slow, or exit 3 or 4. */
    boolean failedToBoot(Processes.Exit exit) {
        return !ready && (bootTimedOut || (!exit.signalled()
                && (exit.code() == ExitCodes.WORKER_BOOT_ERROR || exit.code() == ExitCodes.APP_LOAD_ERROR)));
    }

    /** Why it is gone, one of {@link History#EXIT_REASONS}. */
    String exitReason(Processes.Exit exit) {
        if (aborted) {
            return "timeout";
        }
        if (failedToBoot(exit)) {
            return "boot_failure";
        }
        if (retiring) {
            return "retired";
        }
        if (exit.signalled()) {
            return "signalled";
        }
        return exit.code() == 0 ? "exited" : "crashed";
    }

    /** This worker for {@code qilin ctl status}, from the master's record and the worker's scoreboard slot. */
    MasterStatus.Worker status(Scoreboard.Slot slot, long nowNanos, long nowMillis) {
        Scoreboard.State state = slot.state();
        String name = retiring && state == Scoreboard.State.READY ? "retiring" : state.name().toLowerCase(Locale.ROOT);
        long started = slot.requestStart();
        boolean busy = started > 0 && slot.inFlight() > 0;
        return new MasterStatus.Worker(pid, generation, name, TimeUnit.NANOSECONDS.toMillis(nowNanos - spawnedAt),
                slot.requests(), slot.inFlight(), busy ? slot.requestLine() : null,
                busy ? Math.max(0, nowMillis - started) : 0, TimeUnit.NANOSECONDS.toMillis(nowNanos - lastBeatAt),
                slot.heapUsed(), slot.heapMax(), slot.warmupMillis());
    }

    @Override
    public String toString() {
        return "worker " + pid + " (generation " + generation + ")";
    }
}
