package io.qilin.arbiter;

import io.qilin.arbiter.control.ControlException;
import io.qilin.arbiter.control.ControlPlane;
import io.qilin.arbiter.control.ControlTarget;
import io.qilin.arbiter.control.History;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.control.Scale;
import io.qilin.arbiter.control.StatusBoard;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.listen.Listeners;
import io.qilin.arbiter.pidfile.Pidfile;
import io.qilin.arbiter.daemon.StartupReport;
import io.qilin.arbiter.hooks.MasterHooks;
import io.qilin.arbiter.settings.Settings;
import io.qilin.worker.ServerHooks;
import io.qilin.arbiter.systemd.Notifier;
import io.qilin.arbiter.systemd.SocketActivation;
import io.qilin.arbiter.spawn.Processes;
import io.qilin.arbiter.spawn.Signals;
import io.qilin.worker.ExitCodes;
import io.qilin.worker.internal.LogFiles;
import io.qilin.worker.internal.Scoreboard;
import io.qilin.worker.internal.StatsD;
import io.qilin.worker.internal.ThreadDumps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import static io.qilin.arbiter.settings.Settings.BACKLOG;
import static io.qilin.arbiter.settings.Settings.BOOT_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.DAEMON;
import static io.qilin.arbiter.settings.Settings.GRACEFUL_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.HOOKS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS_JITTER;
import static io.qilin.arbiter.settings.Settings.TIMEOUT;
import static io.qilin.arbiter.settings.Settings.WORKERS_COUNT;
import static io.qilin.arbiter.settings.Settings.WORKER_CLASS;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The master: keeps {@code workers} worker JVMs alive on the shared listeners and acts on signals.
 * Read {@link #run()} first; it is the whole story. Only the loop thread touches the worker table;
 * signal handlers just queue the signal, and the control socket queues its commands for the loop
 * ({@link ControlTarget}, at the end of this class) and wakes it through the same queue.
 */
final class Arbiter implements ControlTarget {
    private static final Logger log = LoggerFactory.getLogger(Arbiter.class);

    /** The longest the loop sleeps; shorter while workers boot, so readiness is seen quickly. */
    private static final long IDLE_WAIT_MILLIS = 1000;
    private static final long BUSY_WAIT_MILLIS = 100;
    private static final int SCOREBOARD_SLOTS = 1024;
    private static final long BACKOFF_CAP_MILLIS = 30_000;
    /** Time an aborted worker has to write its thread dump and exit before SIGKILL (Gunicorn gives ~1 s). */
    private static final int ABORT_GRACE_SECONDS = 5;
    /** How a JVM started with -XX:+ExitOnOutOfMemoryError exits when its heap is exhausted. */
    private static final int OUT_OF_MEMORY = 3;
    /** Set by an old master for the new one it starts on USR2: its pid, and how many listener fds from 3. */
    private static final String UPGRADE_FROM = "QILIN_UPGRADE_FROM";
    private static final String UPGRADE_FDS = "QILIN_UPGRADE_FDS";
    private static final String UPGRADE_SYSTEMD = "QILIN_UPGRADE_SYSTEMD";

    private final Supplier<Settings> settingsSource;
    private final List<String> args;
    private final String version;
    private final long pid = ProcessHandle.current().pid();
    private final BlockingQueue<Sig> signals = new LinkedBlockingQueue<>();
    private final Map<Long, WorkerProcess> workers = new LinkedHashMap<>();
    private final BitSet usedSlots = new BitSet();

    private Settings settings;
    private List<BoundListener> listeners = List.of();
    private Pidfile pidfile;
    private Path scoreboardPath;
    private Scoreboard scoreboard;
    private WorkerLauncher launcher;
    private int numWorkers;
    private int lastAge;
    private int generation = 1;
    /** The highest generation number handed out; generation numbers are never reused. */
    private int lastGeneration = 1;
    /** The newest generation that was fully up; a failed reload falls back to it. */
    private int stableGeneration = 1;
    private Settings stableSettings;
    private boolean everReady;
    /** The first generation has come up and systemd has not been told yet. */
    private boolean announceReady;
    private boolean stopping;
    private int bootFailures;
    private long nextSpawnAt;
    /** The new master a USR2 started, while it runs. */
    private long reexecPid;
    /** The old master that started this one by USR2, until this one is promoted. */
    private long upgradeFrom;
    /** The listeners came from systemd: never unlinked, and handed on as such. */
    private boolean systemd;
    private MasterHooks hooks = MasterHooks.none();
    private StatsD statsd;
    /** What the --hooks class sees of this master. */
    private final ServerHooks.Master hookView = new ServerHooks.Master() {
        @Override
        public long pid() {
            return pid;
        }

        @Override
        public int workers() {
            return numWorkers;
        }

        @Override
        public String setting(String name) {
            return Settings.ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                    .map(s -> settings.get(s)).map(String::valueOf).orElse(null);
        }
    };
    private final Notifier notifier = Notifier.fromEnvironment(System.getenv());
    private final StartupReport startupReport = StartupReport.fromEnvironment(System.getenv());
    private final long startedAt = System.currentTimeMillis();
    /** What qilin ctl status and the metrics see; the loop publishes it each pass. */
    private final StatusBoard statusBoard = new StatusBoard();
    private History history = History.EMPTY;
    private ControlPlane control;

    Arbiter(Settings settings, Supplier<Settings> settingsSource, List<String> args, String version) {
        this.settings = settings;
        this.stableSettings = settings;
        this.settingsSource = settingsSource;
        this.args = args;
        this.version = version;
        this.numWorkers = settings.get(WORKERS_COUNT);
    }

    /** Runs until stopped; returns the master's exit code. */
    int run() {
        try {
            start();
            manageWorkers();
            while (true) {
                maybePromote();
                for (Sig sig : waitForSignals()) {
                    if (sig != Sig.CHLD && sig.isSignal()) {
                        log.info("Handling signal: {}", sig.lower());
                    }
                    switch (sig) {
                        case HUP:
                            reload();
                            break;
                        case TERM:
                            throw new Halt(null, ExitCodes.OK, true);
                        case INT:
                            throw new Halt(null, ExitCodes.OK, false);
                        case TTIN:
                            setNumWorkers(numWorkers + 1);
                            break;
                        case TTOU:
                            if (numWorkers > 1) {
                                setNumWorkers(numWorkers - 1);
                            }
                            break;
                        case USR1:
                            reopenLogs();
                            break;
                        case USR2:
                            reexec();
                            break;
                        case WINCH:
                            handleWinch();
                            break;
                        case CHLD:
                            break;
                        case WAKEUP:
                            control.runPending(this);
                            break;
                    }
                }
                reapWorkers();
                noteReadiness();
                murderWorkers();
                manageWorkers();
                publishStatus();
            }
        } catch (Halt h) {
            return halt(h.reason, h.status, h.graceful);
        } catch (StartupError e) {
            log.error("{}", e.getMessage());
            startupReport.failed(e.getMessage());
            cleanUp();
            return 1;
        } catch (RuntimeException e) {
            log.error("Unhandled exception in main loop", e);
            stop(false);
            cleanUp();
            return 255;
        }
    }

    private void start() {
        upgradeFrom = envLong(UPGRADE_FROM);
        log.info("Starting qilin {}{}", version, upgradeFrom > 0 ? " (upgrade of master " + upgradeFrom + ")" : "");
        try {
            hooks = MasterHooks.load(settings.get(HOOKS), settings.classpathUrls());
            hooks.onStarting(hookView);
            statsd = StatsD.connect(settings.get(Settings.STATSD_HOST), settings.get(Settings.STATSD_PREFIX));
            if (statsd != null) {
                statsd.gauge("workers", numWorkers);
            }
        } catch (RuntimeException | LinkageError e) {
            throw new StartupError(e instanceof IllegalArgumentException ? e.getMessage() : "the on_starting hook failed: " + e);
        }
        warnIgnoredSignals();
        if (settings.pidfile() != null) {
            try {
                pidfile = Pidfile.create(upgradeFrom > 0 ? Path.of(settings.pidfile() + ".2") : settings.pidfile(), pid);
            } catch (IOException e) {
                throw new StartupError(e.getMessage());
            }
        }
        for (Sig s : Sig.values()) {
            if (s.isSignal()) {
                Signal.handle(new Signal(s.name()), x -> signals.offer(s));
            }
        }
        try {
            control = ControlPlane.open(settings, pid, upgradeFrom > 0, System.getenv(), statusBoard,
                    () -> signals.offer(Sig.WAKEUP));
        } catch (IOException e) {
            throw new StartupError(e.getMessage());
        }
        int fromSystemd = SocketActivation.passedFds(System.getenv(), pid);
        try {
            if (upgradeFrom > 0) {
                systemd = envLong(UPGRADE_SYSTEMD) == 1;
                listeners = Listeners.adopt(3, (int) envLong(UPGRADE_FDS), !systemd);
            } else if (fromSystemd > 0) {
                systemd = true;
                listeners = Listeners.adopt(SocketActivation.FIRST_FD, fromSystemd, false);
                log.info("Using {} socket(s) from systemd; --bind is ignored", fromSystemd);
            } else if (settings.get(Settings.REUSE_PORT)) {
                // each worker binds its own (WorkerLauncher); binding once here checks the addresses are free
                Listeners.bindReusePort(settings.bindAddresses(), settings.get(BACKLOG)).forEach(l -> l.close(false));
            } else {
                listeners = Listeners.bind(settings.bindAddresses(), settings.get(BACKLOG));
            }
        } catch (IOException e) {
            throw new StartupError(e.getMessage());
        }
        log.info("Listening at: {} ({})", listeners.isEmpty() && settings.get(Settings.REUSE_PORT)
                ? settings.bindAddresses().stream().map(a -> "http://" + a + " (reuse_port)").collect(Collectors.joining(","))
                : listeners.stream().map(Object::toString).collect(Collectors.joining(",")), pid);
        log.info("Using worker: {}", settings.get(WORKER_CLASS));
        hooks.whenReady(hookView);
        try {
            scoreboardPath = settings.workerTmpDir().resolve("qilin-" + pid + ".scoreboard");
            scoreboard = Scoreboard.create(scoreboardPath, SCOREBOARD_SLOTS);
        } catch (IOException e) {
            throw new StartupError("cannot create the scoreboard in " + settings.workerTmpDir() + ": " + e.getMessage());
        }
        int[] pipe = Processes.parentWatchPipe();
        launcher = new WorkerLauncher(pid, pipe[0], scoreboardPath);
    }

    /** Publishes what {@code qilin ctl status} and the metrics show: the only view other threads get of the workers. */
    private MasterStatus publishStatus() {
        long nowNanos = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        List<MasterStatus.Worker> view = workers.values().stream()
                .map(w -> w.status(scoreboard.slot(w.slot), nowNanos, nowMillis)).collect(Collectors.toList());
        return statusBoard.publish(new MasterStatus(pid, version, startedAt, nowMillis, generation, stableGeneration,
                numWorkers, listeners.stream().map(Object::toString).collect(Collectors.toList()), settings.describe(),
                view, history));
    }

    private List<Sig> waitForSignals() {
        List<Sig> out = new ArrayList<>();
        boolean busy = workers.values().stream().anyMatch(w -> !w.ready) || generation != stableGeneration;
        try {
            Sig first = signals.poll(busy ? BUSY_WAIT_MILLIS : IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (first != null) {
                out.add(first);
                signals.drainTo(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Halt("interrupted", ExitCodes.OK, true);
        }
        return out;
    }

    /**
     * USR2: start a new master with the same arguments, handing it the listeners at fds 3... Both
     * masters serve until one is stopped; the new one takes over the pidfile when this one exits.
     */
    private void reexec() {
        if (reexecPid != 0) {
            log.warn("USR2 signal ignored. Child exists (pid:{}).", reexecPid);
            return;
        }
        if (upgradeFrom != 0) {
            log.warn("USR2 signal ignored. Parent exists (pid:{}).", upgradeFrom);
            return;
        }
        hooks.preExec(hookView);
        Map<String, String> env = new java.util.TreeMap<>(System.getenv());
        env.put(UPGRADE_FROM, Long.toString(pid));
        env.put(UPGRADE_FDS, Integer.toString(listeners.size()));
        if (systemd) {
            env.put(UPGRADE_SYSTEMD, "1");
        }
        List<Integer> fds = listeners.stream().map(BoundListener::fd).collect(Collectors.toList());
        try {
            reexecPid = new io.qilin.arbiter.spawn.Spawner().spawn(MasterCommand.relaunch(args), env, fds);
            log.info("Upgrading: started a new master (pid:{})", reexecPid);
        } catch (IOException e) {
            log.error("Cannot start a new master: {}", e.getMessage());
        }
    }

    /** A master started by USR2 takes over once its parent, the old master, is gone. */
    private void maybePromote() {
        if (upgradeFrom == 0 || Processes.parentPid() == upgradeFrom) {
            return;
        }
        log.info("Master has been promoted.");
        upgradeFrom = 0;
        notifier.notify("MAINPID=" + pid, "READY=1", "STATUS=" + status());
        if (pidfile != null) {
            try {
                pidfile = pidfile.renameTo(settings.pidfile());
            } catch (IOException e) {
                log.error("Cannot move the pidfile to {}: {}", settings.pidfile(), e.getMessage());
            }
        }
        if (control != null) {
            control.promoted();
        }
    }

    private static long envLong(String name) {
        String v = System.getenv(name);
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * HUP: re-read the settings and start a new generation; old workers leave as new ones become ready.
     * Returns null once the generation is starting, else why it could not start.
     */
    private String reload() {
        Settings fresh;
        try {
            fresh = settingsSource.get();
        } catch (RuntimeException e) {
            return reloadRefused(e.getMessage());
        }
        String rebindFailure = rebind(fresh);
        if (rebindFailure != null) {
            return reloadRefused(rebindFailure);
        }
        try {
            hooks = MasterHooks.load(fresh.get(HOOKS), fresh.classpathUrls());
        } catch (RuntimeException e) {
            return reloadRefused(e.getMessage());
        }
        hooks.onReload(hookView);
        if (generation != stableGeneration) {
            history = history.reloadEnded(generation, "superseded",
                    "Generation " + generation + " was superseded by generation " + (lastGeneration + 1), lastGeneration + 1);
        }
        settings = fresh;
        setNumWorkers(fresh.get(WORKERS_COUNT));
        generation = ++lastGeneration;
        log.info("Hang up: Master; starting generation {} ({} workers)", generation, numWorkers);
        notifier.notify("RELOADING=1", "MONOTONIC_USEC=" + System.nanoTime() / 1000,
                "STATUS=Reloading: starting generation " + generation);
        return null;
    }

    private String reloadRefused(String why) {
        String message = "Reload failed: " + why + "; the running workers keep serving";
        log.error(message);
        history = history.reloadEnded(0, "refused", message, 0);
        return message;
    }

    /**
     * Binds the new settings' addresses when they differ from the listeners' (a HUP after the config
     * file changed). The old listeners close: old workers finish what they accepted. When the new
     * addresses cannot be bound, returns why, and the reload is off.
     */
    private String rebind(Settings fresh) {
        if (systemd || upgradeFrom != 0 || reexecPid != 0 || settings.get(Settings.REUSE_PORT)
                || fresh.bindAddresses().equals(settings.bindAddresses())) {
            return null;
        }
        List<BoundListener> fresher;
        try {
            fresher = Listeners.bind(fresh.bindAddresses(), fresh.get(BACKLOG));
        } catch (IOException e) {
            return e.getMessage();
        }
        listeners.forEach(l -> l.close(true));
        listeners = fresher;
        log.info("Listening at: {} ({})", listeners.stream().map(Object::toString).collect(Collectors.joining(",")), pid);
        return null;
    }

    /** WINCH: when daemonized, stop every worker gracefully and keep the master and its sockets; HUP brings them back. */
    private void handleWinch() {
        if (!settings.get(DAEMON)) {
            log.debug("SIGWINCH ignored. Not daemonized");
            return;
        }
        log.info("graceful stop of workers");
        setNumWorkers(0);
    }

    /** A line for systemd's STATUS=. */
    private String status() {
        return "Serving generation " + generation + " with " + numWorkers + " workers";
    }

    /** A new generation could not boot: stop it and go back to the last one that was fully up. */
    private void rollBack(String why) {
        int failed = generation;
        generation = stableGeneration;
        settings = stableSettings;
        setNumWorkers(settings.get(WORKERS_COUNT));
        String message = "Reload failed: generation " + failed + " " + why + "; generation " + generation
                + " keeps serving";
        log.error(message);
        notifier.notify("READY=1", "STATUS=" + message);
        history = history.reloadEnded(failed, "failed", message, 0);
        for (WorkerProcess w : workers.values()) {
            if (w.generation > generation) {
                retire(w);
            }
        }
    }

    private void setNumWorkers(int n) {
        if (n == numWorkers) {
            return;
        }
        log.info("Number of workers: {} -> {}", numWorkers, n);
        int old = numWorkers;
        numWorkers = n;
        hooks.nworkersChanged(hookView, n, old);
        if (statsd != null) {
            statsd.gauge("workers", n);
        }
    }

    @Override
    public void reopenLogs() {
        LogFiles.reopen();
        for (WorkerProcess w : workers.values()) {
            if (handlesSignals(w)) {
                Processes.kill(w.pid, Signals.USR1);
            }
        }
    }

    /** A worker writes its pid in its slot once its handlers are in; before that, USR1 or PWR would kill it. */
    private boolean handlesSignals(WorkerProcess w) {
        return scoreboard.slot(w.slot).pid() == w.pid;
    }

    /** Collects every exited child, says why it died, and decides whether that stops the master. */
    private void reapWorkers() {
        Processes.Exit exit;
        while ((exit = Processes.reapOne()) != null) {
            if (exit.pid == reexecPid) {
                log.info("The new master (pid:{}) exited: {}", exit.pid, exit);
                reexecPid = 0;
                continue;
            }
            WorkerProcess w = workers.remove((long) exit.pid);
            if (w == null) {
                log.debug("Reaped unknown child process (pid:{}, {})", exit.pid, exit);
                continue;
            }
            history = history.workerExited(w.pid, w.generation, w.exitReason(exit), exit.toString(), !stopping,
                    scoreboard.slot(w.slot).requests());
            freeSlot(w);
            hooks.childExit(hookView, MasterHooks.worker(w.pid, w.generation));
            if (exit.signalled()) {
                if (exit.signal() == Signals.KILL) {
                    log.error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", w.pid);
                } else if (exit.signal() == Signals.TERM) {
                    log.info("Worker (pid:{}) was sent SIGTERM!", w.pid);
                } else {
                    log.warn("Worker (pid:{}) was sent {}!", w.pid, Signals.name(exit.signal()));
                }
            } else if (exit.code() == OUT_OF_MEMORY && w.ready) {
                log.error("Worker (pid:{}) exited with code {}: out of memory.", w.pid, exit.code());
            } else if (exit.code() != 0) {
                log.error("Worker (pid:{}) exited with code {}.", w.pid, exit.code());
            } else {
                log.debug("Worker (pid:{}) exited normally", w.pid);
            }
            if (stopping) {
                continue;
            }
            if (w.failedToBoot(exit)) {
                workerFailedToBoot(w, exit);
            }
        }
    }

    private void workerFailedToBoot(WorkerProcess w, Processes.Exit exit) {
        String what = w.bootTimedOut ? "Worker failed to boot in time." : exit.code() == ExitCodes.APP_LOAD_ERROR
                ? "App failed to load." : "Worker failed to boot.";
        int status = exit.code() == ExitCodes.APP_LOAD_ERROR ? ExitCodes.APP_LOAD_ERROR : ExitCodes.WORKER_BOOT_ERROR;
        if (!everReady) {
            throw new Halt(what, status, true);
        }
        if (w.generation != generation) {
            return; // its generation was already abandoned
        }
        if (generation != stableGeneration) {
            rollBack("could not boot (" + what + ")");
            return;
        }
        bootFailures++;
        long delay = Math.min(BACKOFF_CAP_MILLIS, 500L << Math.min(bootFailures - 1, 16));
        nextSpawnAt = System.nanoTime() + delay * 1_000_000L;
        log.error("{} Retrying in {} s (failure {} in a row).", what, delay / 1000.0, bootFailures);
    }

    /** Notes workers that have become ready; a generation is stable once it is fully up and alone. */
    private void noteReadiness() {
        for (WorkerProcess w : workers.values()) {
            if (!w.ready && scoreboard.slot(w.slot).state() == Scoreboard.State.READY) {
                w.ready = true;
                w.lastBeatAt = System.nanoTime();
                if (!everReady && upgradeFrom == 0) {
                    announceReady = true;
                }
                everReady = true;
                bootFailures = 0;
                log.debug("Worker (pid:{}) is ready", w.pid); // it-tests wait for this line
            }
        }
        if (announceReady && workers.values().stream().filter(w -> w.ready).count() >= numWorkers) {
            announceReady = false;
            notifier.notify("READY=1", "STATUS=" + status(), "MAINPID=" + pid);
            startupReport.ready();
        }
        if (generation != stableGeneration) {
            long readyNew = workers.values().stream().filter(w -> w.generation == generation && w.ready).count();
            boolean oldLeft = workers.values().stream().anyMatch(w -> w.generation != generation);
            if (readyNew >= numWorkers && !oldLeft) {
                stableGeneration = generation;
                stableSettings = settings;
                String message = "Reload complete: generation " + generation + " is serving (" + readyNew + " workers)";
                log.info(message);
                notifier.notify("READY=1", "STATUS=" + status());
                history = history.reloadEnded(generation, "complete", message, 0);
            }
        }
    }

    /**
     * Timeouts. A ready worker whose heartbeat has not moved for {@code --timeout} seconds gets ABRT
     * (it writes a thread dump and exits 1); one still there a second later gets KILL. A worker not
     * ready within {@code --boot-timeout} is killed.
     */
    private void murderWorkers() {
        long now = System.nanoTime();
        for (WorkerProcess w : workers.values()) {
            Scoreboard.Slot slot = scoreboard.slot(w.slot);
            if (!w.ready) {
                if (!w.bootTimedOut && now - w.spawnedAt > TimeUnit.SECONDS.toNanos(settings.get(BOOT_TIMEOUT))) {
                    log.error("Worker (pid:{}) was not ready after {} s (--boot-timeout); killing it", w.pid,
                            settings.get(BOOT_TIMEOUT));
                    w.bootTimedOut = true;
                    Processes.kill(w.pid, Signals.KILL);
                }
                continue;
            }
            long beats = slot.beats();
            if (beats != w.lastBeats) {
                w.lastBeats = beats;
                w.lastBeatAt = now;
                continue;
            }
            int timeout = settings.get(TIMEOUT);
            if (timeout <= 0) {
                continue;
            }
            long silentNanos = now - w.lastBeatAt;
            if (silentNanos <= TimeUnit.SECONDS.toNanos(timeout)) {
                continue;
            }
            if (!w.aborted) {
                // it-tests match this line
                log.error("WORKER TIMEOUT (pid:{}): no heartbeat for {} s (--timeout {}); sending SIGABRT",
                        w.pid, TimeUnit.NANOSECONDS.toSeconds(silentNanos), timeout);
                w.aborted = true;
                w.lastBeatAt = now - TimeUnit.SECONDS.toNanos(timeout); // KILL after ABORT_GRACE_SECONDS
                Processes.kill(w.pid, Signals.ABRT);
            } else if (silentNanos > TimeUnit.SECONDS.toNanos(timeout + ABORT_GRACE_SECONDS)) {
                log.error("Worker (pid:{}) did not exit after SIGABRT; sending SIGKILL", w.pid);
                Processes.kill(w.pid, Signals.KILL);
            }
        }
    }

    /**
     * Keeps {@code numWorkers} workers of the current generation: spawns the missing ones, retires
     * the oldest extra ones, and retires one worker of an older generation for each new one ready.
     */
    private void manageWorkers() {
        if (stopping) {
            return;
        }
        List<WorkerProcess> current = active(w -> w.generation == generation);
        if (current.size() < numWorkers && System.nanoTime() - nextSpawnAt >= 0) {
            spawnWorkers(numWorkers - current.size());
        }
        for (int i = 0; i < current.size() - numWorkers; i++) {
            retire(current.get(i));
        }
        long readyCurrent = current.stream().filter(w -> w.ready).count();
        List<WorkerProcess> old = active(w -> w.generation != generation);
        long keepOld = Math.max(0, numWorkers - readyCurrent);
        for (int i = 0; i < old.size() - keepOld; i++) {
            retire(old.get(i));
        }
    }

    /** Workers not yet told to leave, oldest first. */
    private List<WorkerProcess> active(java.util.function.Predicate<WorkerProcess> filter) {
        return workers.values().stream().filter(w -> !w.retiring).filter(filter)
                .sorted(Comparator.comparingInt(w -> w.age)).collect(Collectors.toList());
    }

    private void retire(WorkerProcess w) {
        w.retiring = true;
        log.debug("Retiring worker (pid:{}, generation {})", w.pid, w.generation);
        Processes.kill(w.pid, Signals.TERM);
    }

    private void spawnWorkers(int count) {
        for (int i = 0; i < count; i++) {
            spawnWorker();
        }
    }

    private void spawnWorker() {
        int slot = usedSlots.nextClearBit(0);
        if (slot >= SCOREBOARD_SLOTS) {
            log.error("Cannot start more than {} workers", SCOREBOARD_SLOTS);
            return;
        }
        scoreboard.slot(slot).reset(generation);
        long maxRequests = settings.get(MAX_REQUESTS) <= 0 ? 0
                : settings.get(MAX_REQUESTS) + ThreadLocalRandom.current().nextLong(settings.get(MAX_REQUESTS_JITTER) + 1L);
        try {
            hooks.preFork(hookView, MasterHooks.worker(0, generation));
            long workerPid = launcher.spawn(settings, listeners, generation, slot, maxRequests);
            usedSlots.set(slot);
            lastAge++;
            workers.put(workerPid, new WorkerProcess(workerPid, lastAge, generation, slot, System.nanoTime()));
            log.debug("Spawned worker (pid:{}, generation {}, slot {})", workerPid, generation, slot);
        } catch (IOException e) {
            if (!everReady) {
                throw new StartupError("cannot start a worker: " + e.getMessage());
            }
            log.error("Cannot start a worker: {}", e.getMessage());
            nextSpawnAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
    }

    private void freeSlot(WorkerProcess w) {
        scoreboard.slot(w.slot).free();
        usedSlots.clear(w.slot);
    }

    private void killWorkers(int signal) {
        for (WorkerProcess w : workers.values()) {
            Processes.kill(w.pid, signal);
        }
    }

    /**
     * Stops every worker. Graceful: close the listeners, TERM, wait up to {@code --graceful-timeout}
     * (an INT meanwhile makes it quick); quick: INT and the same wait. KILL whatever is left.
     */
    private void stop(boolean graceful) {
        stopping = true;
        boolean unlink = reexecPid == 0 && upgradeFrom == 0;   // an upgrade partner still serves these sockets
        listeners.forEach(l -> l.close(unlink));
        listeners = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.get(GRACEFUL_TIMEOUT));
        killWorkers(graceful ? Signals.TERM : Signals.INT);
        while (!workers.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Sig sig = signals.poll(BUSY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (graceful && sig == Sig.INT) {
                    log.info("Quick shutdown requested");
                    graceful = false;
                    killWorkers(Signals.INT);
                    deadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            reapWorkers();
        }
        if (!workers.isEmpty()) {
            log.warn("Killing {} worker(s) still running after {} s: {}", workers.size(), settings.get(GRACEFUL_TIMEOUT),
                    workers.keySet());
            killWorkers(Signals.KILL);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!workers.isEmpty() && System.nanoTime() - until < 0) {
                reapWorkers();
                sleep(20);
            }
        }
    }

    private int halt(String reason, int status, boolean graceful) {
        if (reexecPid != 0) {
            notifier.notify("MAINPID=" + reexecPid, "STATUS=Handing over to the new master (pid " + reexecPid + ")");
        } else {
            notifier.notify("STOPPING=1", "STATUS=Stopping");
        }
        stop(graceful);
        log.info("Shutting down: Master");
        if (reason != null) {
            if (status != 0) {
                log.error("Reason: {}", reason);
            } else {
                log.info("Reason: {}", reason);
            }
        }
        cleanUp();
        hooks.onExit(hookView);
        startupReport.failed((reason == null ? "stopped" : reason) + " (exit code " + status + ")"); // if never ready
        return status;
    }

    private void cleanUp() {
        boolean unlink = reexecPid == 0 && upgradeFrom == 0;
        listeners.forEach(l -> l.close(unlink));
        if (pidfile != null) {
            pidfile.unlink();
        }
        if (scoreboardPath != null) {
            try {
                scoreboard.close();
                Files.deleteIfExists(scoreboardPath);
            } catch (IOException ignored) {
                // a stale scoreboard in /dev/shm is harmless
            }
        }
        if (control != null) {
            control.close();   // last: a waiting 'qilin ctl stop' returns once all of the above is done
        }
    }

    /** A signal ignored when the JVM started cannot be handled: say so, and how to avoid it. */
    private void warnIgnoredSignals() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    for (Sig s : Sig.values()) {
                        int n = Signals.number(s.name());
                        if (n > 0 && (mask & (1L << (n - 1))) != 0) {
                            log.warn("SIG{} was ignored when qilin started (nohup, or a background job of a script), "
                                    + "so the master cannot handle it; start qilin with bin/qilin, or through "
                                    + "'env --default-signal'", s.name());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read /proc/self/status: {}", e.toString());
        }
    }

    // qilin ctl: the control socket queues these and the loop runs them (WAKEUP), so they may touch the workers

    @Override
    public MasterStatus refreshStatus() {
        return publishStatus();
    }

    @Override
    public int startReload() {
        String failure = reload();
        if (failure != null) {
            throw new ControlException(failure);
        }
        return generation;
    }

    @Override
    public int scale(Scale scale) {
        int n = scale.applyTo(numWorkers);
        if (n != numWorkers) {
            setNumWorkers(n);
        }
        return n;
    }

    @Override
    public void retireWorker(long workerPid) {
        retire(worker(workerPid));
    }

    @Override
    public Map<Long, Path> requestThreadDumps(long workerPid) {
        Map<Long, Path> files = new LinkedHashMap<>();
        for (WorkerProcess w : workerPid == 0 ? workers.values() : List.of(worker(workerPid))) {
            if (handlesSignals(w)) {
                files.put(w.pid, ThreadDumps.fileFor(scoreboardPath, w.pid));
                Processes.kill(w.pid, Signals.PWR);
            }
        }
        if (files.isEmpty()) {
            throw new ControlException(workerPid == 0 ? "no worker is up yet" : "worker " + workerPid + " is still booting");
        }
        return files;
    }

    @Override
    public void requestStop(boolean graceful) {
        signals.offer(graceful ? Sig.TERM : Sig.INT);
    }

    private WorkerProcess worker(long workerPid) {
        WorkerProcess w = workers.get(workerPid);
        if (w == null) {
            throw new ControlException("no worker has pid " + workerPid + "; the workers are " + workers.keySet());
        }
        return w;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Leaves the loop: stop the workers, then exit with {@code status}. */
    private static final class Halt extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String reason;
        final int status;
        final boolean graceful;

        Halt(String reason, int status, boolean graceful) {
            super(reason, null, false, false);
            this.reason = reason;
            this.status = status;
            this.graceful = graceful;
        }
    }

    /** The master cannot start: one line for the user, exit 1. */
    static final class StartupError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartupError(String message) {
            super(message, null, false, false);
        }
    }
}
