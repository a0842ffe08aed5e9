package io.qilin.arbiter;

import io.qilin.arbiter.control.ControlException;
import io.qilin.arbiter.control.ControlTarget;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.control.Scale;
import io.qilin.arbiter.posix.Signals;
import io.qilin.worker.protocol.ThreadDumps;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code qilin ctl} asks of the master. The control socket queues these and the loop runs
 * them (a WAKEUP), so they may touch the workers; each does what the matching signal does.
 */
final class MasterControl implements ControlTarget {
    private final Arbiter arbiter;
    private final WorkerTable workers;
    private final Generations generations;
    private final ProcessTable processes;

    MasterControl(Arbiter arbiter, WorkerTable workers, Generations generations, ProcessTable processes) {
        this.arbiter = arbiter;
        this.workers = workers;
        this.generations = generations;
        this.processes = processes;
    }

    @Override
    public MasterStatus refreshStatus() {
        return arbiter.publishStatus();
    }

    @Override
    public int startReload() {
        String failure = arbiter.reload();
        if (failure != null) {
            throw new ControlException(failure);
        }
        return generations.current();
    }

    @Override
    public int scale(Scale scale) {
        int n = scale.applyTo(arbiter.numWorkers());
        arbiter.setNumWorkers(n);
        return n;
    }

    @Override
    public void retireWorker(long pid) {
        arbiter.retire(worker(pid));
    }

    @Override
    public Map<Long, Path> requestThreadDumps(long pid) {
        Map<Long, Path> files = new LinkedHashMap<>();
        for (WorkerProcess w : pid == 0 ? workers.all() : List.of(worker(pid))) {
            if (workers.handlesSignals(w)) {
                files.put(w.pid, ThreadDumps.fileFor(workers.runDir(), w.pid));
                processes.kill(w.pid, Signals.PWR);
            }
        }
        if (files.isEmpty()) {
            throw new ControlException(pid == 0 ? "no worker is up yet" : "worker " + pid + " is still booting");
        }
        return files;
    }

    @Override
    public void reopenLogs() {
        arbiter.reopenLogs();
    }

    @Override
    public void requestStop(boolean graceful) {
        arbiter.signalArrived(graceful ? Sig.TERM : Sig.INT);
    }

    private WorkerProcess worker(long pid) {
        WorkerProcess w = workers.get(pid);
        if (w == null) {
            throw new ControlException("no worker has pid " + pid + "; the workers are " + workers.pids());
        }
        return w;
    }
}
