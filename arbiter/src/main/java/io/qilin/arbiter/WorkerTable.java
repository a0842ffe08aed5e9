package io.qilin.arbiter;

import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.files.MasterFiles;
import io.qilin.worker.protocol.Scoreboard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The master's workers by pid (Gunicorn's {@code WORKERS}), each with its slot in the scoreboard,
 * where the worker writes its state and heartbeat. Touched only by the loop thread.
 */
final class WorkerTable {
    /** One slot per worker; also the most workers a master can run. */
    static final int SCOREBOARD_SLOTS = 1024;

    private final Map<Long, WorkerProcess> workers = new LinkedHashMap<>();
    private final BitSet usedSlots = new BitSet();
    private final MasterFiles files;
    private final Scoreboard scoreboard;
    private int lastAge;

    private WorkerTable(MasterFiles files, Scoreboard scoreboard) {
        this.files = files;
        this.scoreboard = scoreboard;
    }

    /** The table over the scoreboard in {@code files}; closing the table removes them. */
    static WorkerTable create(MasterFiles files) throws IOException {
        return new WorkerTable(files, Scoreboard.mapOpen(files.scoreboardOpen(), SCOREBOARD_SLOTS));
    }

    /** Where workers write the thread dumps {@code qilin ctl dump} asks for. */
    Path runDir() {
        return files.runDir();
    }

    /** A free slot, reset for a worker of {@code generation}; -1 when all are taken. */
    int claimSlot(int generation) {
        int slot = usedSlots.nextClearBit(0);
        if (slot >= SCOREBOARD_SLOTS) {
            return -1;
        }
        scoreboard.slot(slot).reset(generation);
        return slot;
    }

    /** Records a spawned worker; the newest has the highest age. */
    WorkerProcess add(long pid, int generation, int slot, long now) {
        usedSlots.set(slot);
        WorkerProcess w = new WorkerProcess(pid, ++lastAge, generation, slot, now);
        workers.put(pid, w);
        return w;
    }

    /** Forgets a reaped worker and frees its slot; null if {@code pid} is not a worker. */
    WorkerProcess remove(long pid) {
        WorkerProcess w = workers.remove(pid);
        if (w != null) {
            scoreboard.slot(w.slot).free();
            usedSlots.clear(w.slot);
        }
        return w;
    }

    WorkerProcess get(long pid) {
        return workers.get(pid);
    }

    Collection<WorkerProcess> all() {
        return workers.values();
    }

    Set<Long> pids() {
        return workers.keySet();
    }

    boolean isEmpty() {
        return workers.isEmpty();
    }

    /** Workers not yet told to leave, oldest first. */
    List<WorkerProcess> active(Predicate<WorkerProcess> filter) {
        return workers.values().stream().filter(w -> !w.retiring).filter(filter)
                .sorted(Comparator.comparingInt(w -> w.age)).collect(Collectors.toList());
    }

    long count(Predicate<WorkerProcess> filter) {
        return workers.values().stream().filter(filter).count();
    }

    boolean any(Predicate<WorkerProcess> filter) {
        return workers.values().stream().anyMatch(filter);
    }

    Scoreboard.Slot slot(WorkerProcess w) {
        return scoreboard.slot(w.slot);
    }

    /** It has written its pid in its slot, which it does once its handlers are in; before that, USR1 or PWR would kill it. */
    boolean handlesSignals(WorkerProcess w) {
        return slot(w).pid() == w.pid;
    }

    /** Each worker as {@code qilin ctl status} shows it. */
    List<MasterStatus.Worker> status(long nowNanos, long nowMillis) {
        return workers.values().stream().map(w -> w.status(slot(w), nowNanos, nowMillis)).collect(Collectors.toList());
    }

    /** Unmaps the scoreboard and removes its file and the run directory. */
    void close() {
        try {
            scoreboard.close();
        } catch (IOException ignored) {
            // removed below all the same
        }
        files.close();
    }
}
