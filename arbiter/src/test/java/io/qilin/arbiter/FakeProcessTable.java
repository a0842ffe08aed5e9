package io.qilin.arbiter;

import io.qilin.arbiter.files.MasterFiles;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Signals;
import io.qilin.worker.protocol.Scoreboard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link ProcessTable} of make-believe processes on a make-believe clock, for driving the real
 * {@link Arbiter} loop in milliseconds. Workers follow a {@link Script}: they become ready (write
 * READY in their real scoreboard slot) and beat, or exit, at given times; they answer the master's
 * signals as real workers do (TERM and INT: exit 0; KILL: killed; ABRT: exit 1, unless the script
 * makes them hang). Time moves only while the master waits for signals: to the next scheduled event,
 * or by the whole wait. The test schedules signals to the master and checks at given times.
 */
final class FakeProcessTable implements ProcessTable {
    /** Fake time after which a test has surely gone wrong. */
    private static final long GIVE_UP_NANOS = TimeUnit.HOURS.toNanos(1);

    /** How one worker behaves; times in ms from its spawn. */
    static final class Script {
        long readyAfter = 50;
        long exitAfter = -1;
        int exitCode;
        /** What it printed before it died, as {@link BootOutput#summary()} gives it. */
        String output = "";
        /** Stops beating this long after its spawn (ms); -1 never. A hung worker ignores ABRT. */
        long hangAfter = -1;
        /** Asks to be replaced (RECYCLE in its slot, as at --max-requests) this long after its spawn (ms); -1 never. */
        long recycleAfter = -1;
        /** Its resident memory, bytes. */
        long residentBytes = 64L << 20;

        static Script serving() {
            return new Script();
        }

        /** Dies before it is ready, as a JVM refusing an option does. */
        static Script refusing(int code, String output) {
            Script s = new Script();
            s.readyAfter = -1;
            s.exitAfter = 20;
            s.exitCode = code;
            s.output = output;
            return s;
        }

        Script exitingAfter(long millis, int code) {
            exitAfter = millis;
            exitCode = code;
            return this;
        }

        Script hangingAfter(long millis) {
            hangAfter = millis;
            return this;
        }

        Script askingForReplacementAfter(long millis) {
            recycleAfter = millis;
            return this;
        }

        Script using(long bytes) {
            residentBytes = bytes;
            return this;
        }

        Script readyAfter(long millis) {
            readyAfter = millis;
            return this;
        }
    }

    /** What the master did, when (ms of fake time). */
    record Spawn(long pid, int generation, long atMillis) {
    }

    record Kill(long pid, int signal, long atMillis) {
    }

    record Ready(long pid, int generation, long atMillis) {
    }

    private final class Worker {
        final long pid;
        final int generation;
        final int slot;
        final long spawnedAt;
        final Script script;
        boolean ready;
        boolean gone;
        /** Sent TERM or INT: no longer counted as serving. */
        boolean stopping;

        Worker(long pid, int generation, int slot, Script script) {
            this.pid = pid;
            this.generation = generation;
            this.slot = slot;
            this.spawnedAt = now;
            this.script = script;
        }

        boolean hung() {
            return script.hangAfter >= 0 && now - spawnedAt >= TimeUnit.MILLISECONDS.toNanos(script.hangAfter);
        }
    }

    private record Event(long at, long order, Runnable action) {
    }

    private final Function<Integer, Script> scripts;
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final Map<Long, Worker> workers = new LinkedHashMap<>();
    private final Deque<Processes.Exit> exited = new ArrayDeque<>();
    final List<Spawn> spawns = new ArrayList<>();
    final List<Kill> kills = new ArrayList<>();
    final List<Ready> readies = new ArrayList<>();
    /** The fewest workers serving (ready, not told to stop) seen since the first time there were {@link #watchServing}. */
    int minServing = Integer.MAX_VALUE;
    int watchServing = Integer.MAX_VALUE;
    /** The most workers alive at once, and the most of each generation booting at once. */
    int maxAlive;
    final Map<Integer, Integer> maxBooting = new LinkedHashMap<>();
    final List<Map<String, String>> masterEnvs = new ArrayList<>();
    final List<List<Integer>> masterFds = new ArrayList<>();
    private final long start = TimeUnit.SECONDS.toNanos(1000);
    private long now = start;
    private long order;
    private long nextPid = 1000;
    private long parentPid = 1;
    private BlockingQueue<Sig> queue;
    private Consumer<Sig> deliver;
    private Scoreboard scoreboard;

    /** @param scripts by generation: how each worker of that generation behaves */
    FakeProcessTable(Function<Integer, Script> scripts) {
        this.scripts = scripts;
    }

    /** Fake milliseconds since the start. */
    long millis() {
        return TimeUnit.NANOSECONDS.toMillis(now - start);
    }

    /** Runs {@code action} on the loop thread at {@code atMillis} of fake time. */
    void at(long atMillis, Runnable action) {
        events.add(new Event(start + TimeUnit.MILLISECONDS.toNanos(atMillis), order++, action));
    }

    /** Sends the master a signal at {@code atMillis}. */
    void signalAt(long atMillis, Sig sig) {
        at(atMillis, () -> deliver.accept(sig));
    }

    /** Sends the master TERM at {@code atMillis}. */
    FakeProcessTable stoppedAt(long atMillis) {
        signalAt(atMillis, Sig.TERM);
        return this;
    }

    void parentPid(long pid) {
        parentPid = pid;
    }

    List<Long> alive() {
        return workers.values().stream().filter(w -> !w.gone).map(w -> w.pid).toList();
    }

    List<Kill> killsOf(long pid) {
        return kills.stream().filter(k -> k.pid == pid).toList();
    }

    @Override
    public long spawnWorker(Settings settings, List<BoundListener> listeners, int generation, int slot,
            long maxRequests) throws IOException {
        long pid = nextPid++;
        Worker w = new Worker(pid, generation, slot, scripts.apply(generation));
        workers.put(pid, w);
        spawns.add(new Spawn(pid, generation, millis()));
        if (w.script.readyAfter >= 0) {
            after(w.script.readyAfter, () -> {
                if (!w.gone) {
                    w.ready = true;
                    readies.add(new Ready(pid, generation, millis()));
                    scoreboard.slot(slot).pid(pid);
                    scoreboard.slot(slot).state(Scoreboard.State.READY);
                }
            });
        }
        if (w.script.recycleAfter >= 0) {
            after(w.script.recycleAfter, () -> {
                if (!w.gone && !w.stopping) {
                    scoreboard.slot(slot).state(Scoreboard.State.RECYCLE);
                }
            });
        }
        observe();
        if (w.script.exitAfter >= 0) {
            after(w.script.exitAfter, () -> exit(w, Processes.Exit.exited(pid, w.script.exitCode)));
        }
        return pid;
    }

    @Override
    public void workerReady(long pid) {
    }

    @Override
    public String workerGone(long pid) {
        return workers.get(pid).script.output;
    }

    @Override
    public long spawnMaster(List<String> argv, Map<String, String> env, List<Integer> fds) {
        masterEnvs.add(env);
        masterFds.add(fds);
        return nextPid++;
    }

    @Override
    public boolean kill(long pid, int signal) {
        kills.add(new Kill(pid, signal, millis()));
        Worker w = workers.get(pid);
        if (w == null || w.gone) {
            return false;
        }
        if (signal == Signals.TERM || signal == Signals.INT) {
            w.stopping = true;
            after(1, () -> exit(w, Processes.Exit.exited(pid, 0)));
        } else if (signal == Signals.KILL) {
            after(1, () -> exit(w, Processes.Exit.killed(pid, Signals.KILL)));
        } else if (signal == Signals.ABRT && !w.hung()) {
            after(1, () -> exit(w, Processes.Exit.exited(pid, 1)));
        }
        return true;
    }

    @Override
    public long residentBytes(long pid) {
        Worker w = workers.get(pid);
        return w == null || w.gone ? -1 : w.script.residentBytes;
    }

    @Override
    public Processes.Exit reap() {
        return exited.poll();
    }

    @Override
    public long parentPid() {
        return parentPid;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public List<Sig> awaitSignals(BlockingQueue<Sig> signals, long millis) {
        queue = signals;
        beat();
        observe();
        long until = now + TimeUnit.MILLISECONDS.toNanos(millis);
        // events due at the same instant land in one batch, as signals sent together do
        while (!events.isEmpty() && events.peek().at <= until && (signals.isEmpty() || events.peek().at <= now)) {
            Event e = events.poll();
            now = Math.max(now, e.at);
            e.action.run();
        }
        if (signals.isEmpty()) {
            now = until;
        }
        if (now - start > GIVE_UP_NANOS) {
            throw new AssertionError("the master was still running after an hour of fake time");
        }
        List<Sig> out = new ArrayList<>();
        signals.drainTo(out);
        return out;
    }

    @Override
    public void filesCreated(MasterFiles files) {
        try {
            scoreboard = Scoreboard.open(files.scoreboardOpen());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void trapSignals(Consumer<Sig> onSignal) {
        deliver = onSignal;
    }

    private void after(long millis, Runnable action) {
        events.add(new Event(now + TimeUnit.MILLISECONDS.toNanos(millis), order++, action));
    }

    /** Ready workers that are not hung beat each time the master looks. */
    private void beat() {
        for (Worker w : workers.values()) {
            if (w.ready && !w.gone && !w.hung()) {
                scoreboard.slot(w.slot).beat();
            }
        }
    }

    /** Updates {@link #minServing}, {@link #maxAlive} and {@link #maxBooting}; called whenever the master may have acted. */
    private void observe() {
        int serving = 0;
        int alive = 0;
        Map<Integer, Integer> booting = new LinkedHashMap<>();
        for (Worker w : workers.values()) {
            if (!w.gone) {
                alive++;
                if (w.ready && !w.stopping) {
                    serving++;
                }
                if (!w.ready) {
                    booting.merge(w.generation, 1, Integer::sum);
                }
            }
        }
        if (serving >= watchServing) {
            watchServing = 0;
        }
        if (watchServing == 0) {
            minServing = Math.min(minServing, serving);
        }
        maxAlive = Math.max(maxAlive, alive);
        booting.forEach((g, n) -> maxBooting.merge(g, n, Math::max));
    }

    private void exit(Worker w, Processes.Exit exit) {
        if (w.gone) {
            return;
        }
        w.gone = true;
        exited.add(exit);
        queue.offer(Sig.CHLD);
    }
}
