package io.qilin.arbiter;

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

    @Override
    public String toString() {
        return "worker " + pid + " (generation " + generation + ")";
    }
}
