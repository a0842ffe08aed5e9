package io.qilin.arbiter;

import io.qilin.arbiter.control.History;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Signals;
import io.qilin.worker.ExitCodes;
import io.qilin.worker.protocol.Scoreboard;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The master's record of one worker process. Touched only by the loop thread. */
final class WorkerProcess {
    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

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
    /** Being recycled, for this cause ({@link History#RECYCLE_CAUSES}): serves until its replacement is ready. */
    String recycling;
    /** It stopped accepting on its own (a request timeout, or no replacement in time): it will exit. */
    boolean drainingOnItsOwn;
    /** Memory checks in a row that found it over --max-worker-memory, and when the last was. */
    int memoryChecksOver;
    long lastMemoryCheckAt;
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

    /**
     * It died before it was ready, and not because the master asked: the JVM refused to start, it
     * exited before Qilin's code ran, its boot failed, or it was too slow.
     */
    boolean failedToBoot() {
        return !ready && (!retiring || bootTimedOut);
    }

    /**
     * It said why it cannot boot (exit 4 or 5), ran out of memory while booting, or timed out: trying
     * again the same way would not help.
     */
    boolean bootFailureIsFinal(Processes.Exit exit) {
        return bootTimedOut || (!exit.signalled() && (exit.code() == ExitCodes.WORKER_BOOT_ERROR
                || exit.code() == ExitCodes.APP_LOAD_ERROR || exit.code() == ExitCodes.OUT_OF_MEMORY));
    }

    /**
     * Why it failed to boot, as one sentence for the log and {@code reload --wait}; {@code output} is
     * what the JVM printed before Qilin's code ran ({@link BootOutput#summary()}).
     */
    String bootFailure(Processes.Exit exit, String output) {
        if (bootTimedOut) {
            return "Worker failed to boot in time.";
        }
        if (!exit.signalled() && exit.code() == ExitCodes.APP_LOAD_ERROR) {
            return "App failed to load.";
        }
        return "Worker failed to boot" + (output.isEmpty() ? "" : ": " + output) + " (" + exit + ").";
    }

    /**
     * A ready worker that ended on its own, other than by a normal exit (max-requests, say) or the stop
     * that follows a request timeout.
     */
    boolean crashed(Processes.Exit exit) {
        return ready && !retiring && (exit.signalled() || exit.code() != ExitCodes.OK && exit.code() != ExitCodes.REQUEST_TIMEOUT);
    }

    /** It was serving and the master must replace it: why, one of {@link History#RECYCLE_CAUSES}; else null. */
    String replacedFor(Processes.Exit exit) {
        if (!ready || recycling != null) {
            return null;   // a recycle is counted when it starts
        }
        if (aborted) {
            return "timeout";
        }
        if (!retiring && !exit.signalled() && exit.code() == ExitCodes.REQUEST_TIMEOUT) {
            return "request_timeout";
        }
        return crashed(exit) ? "crash" : null;
    }

    /** Counts toward the workers the master keeps: neither on its way out nor waiting for its replacement. */
    boolean staying() {
        return !retiring && recycling == null && !drainingOnItsOwn;
    }

    /** Why it is gone, one of {@link History#EXIT_REASONS}. */
    String exitReason(Processes.Exit exit) {
        if (aborted) {
            return "timeout";
        }
        if (failedToBoot()) {
            return "boot_failure";
        }
        if (retiring) {
            return "retired";
        }
        if (exit.signalled()) {
            return "signalled";
        }
        if (exit.code() == ExitCodes.REQUEST_TIMEOUT) {
            return "request_timeout";
        }
        return exit.code() == 0 ? "exited" : "crashed";
    }

    /** This worker for {@code qilin ctl status}, from the master's record and the worker's scoreboard slot. */
    MasterStatus.Worker status(Scoreboard.Slot slot, long nowNanos, long nowMillis) {
        Scoreboard.State state = slot.state();
        String name = state.serving() && retiring ? "retiring"
                : state.serving() && recycling != null ? "recycling"
                : state.serving() ? "ready" : state.name().toLowerCase(Locale.ROOT);
        long started = slot.requestStart();
        boolean busy = started > 0 && slot.inFlight() > 0;
        return new MasterStatus.Worker(pid, generation, name, TimeUnit.NANOSECONDS.toMillis(nowNanos - spawnedAt),
                slot.requests(), slot.inFlight(), busy ? slot.requestLine() : null,
                busy ? Math.max(0, nowMillis - started) : 0, TimeUnit.NANOSECONDS.toMillis(nowNanos - lastBeatAt),
                slot.heapUsed(), slot.heapMax(), slot.warmupMillis());
    }

    /**
     * Says in the log how it ended (Gunicorn's words; "Perhaps out of memory?" for KILL). A boot
     * failure has a line of its own; a worker stopped while booting is no news.
     */
    void logExit(Processes.Exit exit) {
        if (!ready) {
            log.debug("Worker (pid:{}) exited while booting: {}", pid, exit);
        } else if (exit.signalled()) {
            if (exit.signal() == Signals.KILL) {
                log.error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", pid);
            } else if (exit.signal() == Signals.TERM) {
                log.info("Worker (pid:{}) was sent SIGTERM!", pid);
            } else {
                log.warn("Worker (pid:{}) was sent {}!", pid, Signals.name(exit.signal()));
            }
        } else if (exit.code() == ExitCodes.REQUEST_TIMEOUT) {
            log.warn("Worker (pid:{}) exited with code {}: replaced after a request timeout.", pid, exit.code());
        } else if (exit.code() == ExitCodes.OUT_OF_MEMORY) {
            log.error("Worker (pid:{}) exited with code {}: out of memory.", pid, exit.code());
        } else if (exit.code() != ExitCodes.OK) {
            log.error("Worker (pid:{}) exited with code {}.", pid, exit.code());
        } else {
            log.debug("Worker (pid:{}) exited normally", pid);
        }
    }

    @Override
    public String toString() {
        return "worker " + pid + " (generation " + generation + ")";
    }
}
