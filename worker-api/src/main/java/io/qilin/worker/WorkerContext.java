package io.qilin.worker;

import io.qilin.worker.protocol.Scoreboard;
import io.qilin.worker.protocol.ThreadDumps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker gets from the master: its settings, its listeners, and its slot of the scoreboard
 * (heartbeat, state and request counters). One per worker process.
 */
public final class WorkerContext {
    private final WorkerConfig config;
    private final List<Listener> listeners;
    private final Scoreboard.Slot slot;
    private final ClassLoader appLoader;
    private final boolean fromMaster;

    private WorkerContext(WorkerConfig config, List<Listener> listeners, Scoreboard.Slot slot, ClassLoader appLoader,
            boolean fromMaster) {
        this.fromMaster = fromMaster;
        this.config = config;
        this.listeners = List.copyOf(listeners);
        this.slot = slot;
        this.appLoader = appLoader;
    }

    /** The context of a worker started by the master: inherited listeners and the master's scoreboard. */
    public static WorkerContext fromMaster(WorkerConfig config, ClassLoader appLoader) throws IOException {
        List<Listener> listeners = new ArrayList<>();
        for (ListenerSpec spec : config.listeners()) {
            listeners.add(Listener.inherited(spec));
        }
        Scoreboard.Slot slot = null;
        if (!config.scoreboard().isEmpty()) {
            slot = Scoreboard.open(Path.of(config.scoreboard())).slot(config.slot());
        }
        return new WorkerContext(config, listeners, slot, appLoader, true);
    }

    /** A context without a master, for running a worker in-process (tests, embedding). */
    public static WorkerContext standalone(WorkerConfig config, List<Listener> listeners, ClassLoader appLoader) {
        return new WorkerContext(config, listeners, null, appLoader, false);
    }

    /** True in a worker the master started; false in-process, where no signal handlers are installed. */
    public boolean fromMaster() {
        return fromMaster;
    }

    public WorkerConfig config() {
        return config;
    }

    /** The listeners to accept on, in the order of {@code --bind}; never empty when started by a master. */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The class loader the application is loaded from. */
    public ClassLoader appLoader() {
        return appLoader;
    }

    void beat() {
        if (slot != null) {
            slot.beat();
        }
    }

    void state(Scoreboard.State state) {
        if (slot != null) {
            slot.state(state);
        }
    }

    void pid(long pid) {
        if (slot != null) {
            slot.pid(pid);
        }
    }

    /** Records how long the warm-up took, for {@code qilin ctl status}. */
    void warmupMillis(long millis) {
        if (slot != null) {
            slot.warmupMillis(millis);
        }
    }

    /** Records heap used and max in the slot, for {@code qilin ctl status}. */
    void sampleHeap() {
        if (slot != null) {
            Runtime rt = Runtime.getRuntime();
            slot.heap(rt.totalMemory() - rt.freeMemory(), rt.maxMemory());
        }
    }

    /** Where {@code qilin ctl dump} expects this worker's thread dump; null without a master. */
    Path threadDumpFile() {
        return config.runDir().isEmpty() ? null : ThreadDumps.fileFor(Path.of(config.runDir()), ProcessHandle.current().pid());
    }

    void requestStarted(String line) {
        if (slot != null) {
            slot.requestStarted(line);
        }
    }

    void requestFinished() {
        if (slot != null) {
            slot.requestFinished();
        }
    }
}
