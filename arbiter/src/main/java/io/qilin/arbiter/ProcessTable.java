package io.qilin.arbiter;

import io.qilin.arbiter.files.MasterFiles;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Processes;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Everything the {@link Arbiter} does to processes and time: spawn, kill, reap, the clock and the
 * waits. {@link RealProcessTable} does it to real processes; a test can hand the arbiter a fake one
 * and drive the real loop in milliseconds. Called only from the loop thread.
 */
interface ProcessTable {
    /** Starts a worker of {@code generation} in scoreboard slot {@code slot}; returns its pid. */
    long spawnWorker(Settings settings, List<BoundListener> listeners, int generation, int slot, long maxRequests)
            throws IOException;

    /** The worker has said it is ready: what it printed while booting is passed on, and so on from now. */
    void workerReady(long pid);

    /** The worker has been reaped: what it printed while booting and nobody saw, as one line (may be empty). */
    String workerGone(long pid);

    /** The process's resident memory (VmRSS in /proc/PID/status), in bytes; -1 when it cannot be read. */
    long residentBytes(long pid);

    /** Starts a new master (USR2) with the listeners at fds 3..; returns its pid. */
    long spawnMaster(List<String> argv, Map<String, String> env, List<Integer> fds) throws IOException;

    /** Sends {@code signal}; false if there is no such process. */
    boolean kill(long pid, int signal);

    /** One exited child, without waiting; null when none has exited. */
    Processes.Exit reap();

    /** This process's parent: a master started by USR2 is promoted when it changes. */
    long parentPid();

    /** A monotonic clock, in nanoseconds. */
    long nanoTime();

    /**
     * Waits up to {@code millis} for the first signal on {@code queue}; returns it and any queued
     * behind it. An interrupted wait returns TERM: the master stops gracefully.
     */
    List<Sig> awaitSignals(BlockingQueue<Sig> queue, long millis);

    /** Called once at start, before any spawn: the scoreboard and run directory the workers are handed. */
    void filesCreated(MasterFiles files);

    /** Has each signal of {@link Sig} (but WAKEUP) passed to {@code onSignal} when it arrives. */
    void trapSignals(Consumer<Sig> onSignal);
}
