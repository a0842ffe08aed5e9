package io.qilin.arbiter;

import static io.qilin.arbiter.settings.Settings.BOOT_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.DAEMON;
import static io.qilin.arbiter.settings.Settings.GRACEFUL_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.HOOKS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS_JITTER;
import static io.qilin.arbiter.settings.Settings.TIMEOUT;
import static io.qilin.arbiter.settings.Settings.WORKERS_COUNT;
import static io.qilin.arbiter.settings.Settings.WORKER_CLASS;

import io.qilin.arbiter.control.ControlException;
import io.qilin.arbiter.control.ControlPlane;
import io.qilin.arbiter.control.ControlTarget;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.control.Scale;
import io.qilin.arbiter.control.StatusBoard;
import io.qilin.arbiter.hooks.MasterHooks;
import io.qilin.arbiter.pidfile.Pidfile;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.spawn.Processes;
import io.qilin.arbiter.spawn.Signals;
import io.qilin.arbiter.systemd.Notifier;
import io.qilin.worker.ExitCodes;
import io.qilin.worker.ServerHooks;
import io.qilin.worker.internal.LogFiles;
import io.qilin.worker.internal.Scoreboard;
import io.qilin.worker.internal.StatsD;
import io.qilin.worker.internal.ThreadDumps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master: keeps {@code workers} worker JVMs alive on the shared listeners and acts on signals.
 * Read {@link #run()} first; it is the whole story. Only the loop thread touches the worker table;
 * signal handlers just queue the signal, and the control socket queues its commands for the loop
 * ({@link ControlTarget}, at the end of this class) and wakes it through the same queue. What it
 * does to processes and time goes through a {@link ProcessTable}.
 */
final class Arbiter implements ControlTarget {
    private static final Logger log = LoggerFactory.getLogger(Arbiter.class);

    /** The master's exit codes: stopped by a signal; could not start (bad settings, bind); as Gunicorn's. */
    static final int EXIT_OK = 0;
    static final int EXIT_STARTUP_ERROR = 1;
    /** Workers could not boot at first start (Gunicorn's WORKER_BOOT_ERROR). */
    static final int EXIT_WORKER_BOOT_ERROR = 3;
    /** The application could not be loaded at first start (Gunicorn's APP_LOAD_ERROR). */
    static final int EXIT_APP_LOAD_ERROR = 4;
    static final int EXIT_UNHANDLED = 255;

    /** The longest the loop sleeps; shorter while workers boot, so readiness is seen quickly. */
    private static final long IDLE_WAIT_MILLIS = 1000;
    private static final long BUSY_WAIT_MILLIS = 100;
    static final int SCOREBOARD_SLOTS = 1024;
    /** Time an aborted worker has to write its thread dump and exit before SIGKILL (Gunicorn gives ~1 s). */
    static final int ABORT_GRACE_SECONDS = 5;
    /** What is left of the graceful timeout once an INT asks for a quick stop. */
    private static final int QUICK_STOP_SECONDS = 2;
    /** How long KILLed workers have to be reaped before the master exits anyway. */
    private static final int KILL_REAP_SECONDS = 5;
    private static final long KILL_REAP_POLL_MILLIS = 20;

    private final Supplier<Settings> settingsSource;
    private final List<String> args;
    private final String version;
    private final Map<String, String> env;
    private final ProcessTable processes;
    private final long pid = ProcessHandle.current().pid();
    private final BlockingQueue<Sig> signals = new LinkedBlockingQueue<>();
    private final Map<Long, WorkerProcess> workers = new LinkedHashMap<>();
    private final BitSet usedSlots = new BitSet();
    private final Generations generations;
    private final RestartPolicy restarts = new RestartPolicy();
    private final Upgrade upgrade;

    private Settings settings;
    private ListenerSource listeners;
    private Pidfile pidfile;
    private final Path scoreboardPath;
    private Scoreboard scoreboard;
    private int numWorkers;
    private int lastAge;
    private boolean everReady;
    /** The first generation has come up and systemd has not been told yet. */
    private boolean announceReady;
    private boolean stopping;
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
    private final Notifier notifier;
    private final long startedAt = System.currentTimeMillis();
    /** What qilin ctl status and the metrics see; the loop publishes it each pass. */
    private final StatusBoard statusBoard = new StatusBoard();
    private ControlPlane control;

    Arbiter(Settings settings, Supplier<Settings> settingsSource, List<String> args, String version,
            Map<String, String> env, ProcessTable processes) {
        this.settings = settings;
        this.settingsSource = settingsSource;
        this.args = args;
        this.version = version;
        this.env = env;
        this.processes = processes;
        this.numWorkers = settings.get(WORKERS_COUNT);
        this.generations = new Generations(settings);
        this.upgrade = new Upgrade(env);
        this.notifier = Notifier.fromEnvironment(env);
        this.scoreboardPath = scoreboardPath(settings, pid);
    }

    /** Where the master of {@code pid} keeps its scoreboard. */
    static Path scoreboardPath(Settings settings, long pid) {
        return settings.workerTmpDir().resolve("qilin-" + pid + ".scoreboard");
    }

    /** Runs until stopped; returns the master's exit code. */
    int run() {
        try {
            start();
            manageWorkers();
            while (true) {
                maybePromote();
                for (Sig sig : waitForSignals()) {
                    handle(sig);
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
            cleanUp();
            return EXIT_STARTUP_ERROR;
        } catch (RuntimeException e) {
            log.error("Unhandled exception in main loop", e);
            stop(false);
            cleanUp();
            return EXIT_UNHANDLED;
        }
    }

    /** Dispatches one queued signal; the switch has a branch for every {@link Sig}, and no default. */
    private void handle(Sig sig) {
        if (sig != Sig.CHLD && sig.isSignal()) {
            log.info("Handling signal: {}", sig.lower());
        }
        Runnable handler = switch (sig) {
            case HUP -> this::reload;
            case TERM -> () -> {
                throw new Halt(null, EXIT_OK, true);
            };
            case INT -> () -> {
                throw new Halt(null, EXIT_OK, false);
            };
            case TTIN -> () -> setNumWorkers(numWorkers + 1);
            case TTOU -> () -> setNumWorkers(Math.max(1, numWorkers - 1));
            case USR1 -> this::reopenLogs;
            case USR2 -> this::reexec;
            case WINCH -> this::handleWinch;
            case CHLD -> () -> { }; // the loop reaps after every batch of signals
            case WAKEUP -> () -> control.runPending(this);
        };
        handler.run();
    }

    private void start() {
        log.info("Starting qilin {}{}", version, upgrade.upgrading() ? " (upgrade of master " + upgrade.oldMaster() + ")" : "");
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
        processes.trapSignals(signals);
        try {
            if (settings.pidfile() != null) {
                pidfile = Pidfile.create(upgrade.upgrading() ? Path.of(settings.pidfile() + ".2") : settings.pidfile(), pid);
            }
            control = ControlPlane.open(settings, pid, upgrade.upgrading(), env, statusBoard, () -> signals.offer(Sig.WAKEUP));
            listeners = ListenerSource.open(settings, upgrade, env, pid);
        } catch (IOException e) {
            throw new StartupError(e.getMessage());
        }
        if (listeners.origin() == ListenerSource.Origin.SYSTEMD) {
            log.info("Using {} socket(s) from systemd; --bind is ignored", listeners.listeners().size());
        }
        log.info("Listening at: {} ({})", listeners.describe(settings), pid);
        log.info("Using worker: {}", settings.get(WORKER_CLASS));
        hooks.whenReady(hookView);
        try {
            scoreboard = Scoreboard.create(scoreboardPath, SCOREBOARD_SLOTS);
        } catch (IOException e) {
            throw new StartupError("cannot create the scoreboard in " + settings.workerTmpDir() + ": " + e.getMessage());
        }
    }

    /** Publishes what {@code qilin ctl status} and the metrics show: the only view other threads get of the workers. */
    private MasterStatus publishStatus() {
        long nowNanos = processes.nanoTime();
        long nowMillis = System.currentTimeMillis();
        List<MasterStatus.Worker> view = workers.values().stream()
                .map(w -> w.status(scoreboard.slot(w.slot), nowNanos, nowMillis)).collect(Collectors.toList());
        return statusBoard.publish(new MasterStatus(pid, version, startedAt, nowMillis, generations.current(),
                generations.stable(), numWorkers, listeners.listeners().stream().map(Object::toString)
                .collect(Collectors.toList()), settings.describe(), view, generations.history()));
    }

    /** Waits for signals: briefly while workers boot or are missing, so their readiness or a backoff's end is seen soon. */
    private List<Sig> waitForSignals() {
        boolean busy = workers.values().stream().anyMatch(w -> !w.ready) || generations.reloading()
                || active(w -> w.generation == generations.current()).size() < numWorkers;
        try {
            return processes.awaitSignals(signals, busy ? BUSY_WAIT_MILLIS : IDLE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Halt("interrupted", EXIT_OK, true);
        }
    }

    /** USR2: start a new master that inherits the listeners ({@link Upgrade}); both serve until one is stopped. */
    private void reexec() {
        String refusal = upgrade.refusal();
        if (refusal != null) {
            log.warn(refusal);
            return;
        }
        hooks.preExec(hookView);
        try {
            long child = upgrade.reexec(processes, MasterCommand.relaunch(args), pid, listeners.listeners(),
                    listeners.systemd());
            log.info("Upgrading: started a new master (pid:{})", child);
        } catch (IOException e) {
            log.error("Cannot start a new master: {}", e.getMessage());
        }
    }

    /** A master started by USR2 takes over once its parent, the old master, is gone. */
    private void maybePromote() {
        if (!upgrade.promoteIfOrphaned(processes.parentPid())) {
            return;
        }
        log.info("Master has been promoted.");
        notifier.notify("MAINPID=" + pid, "READY=1", "STATUS=" + status());
        if (pidfile != null) {
            try {
                pidfile = pidfile.renameTo(settings.pidfile());
            } catch (IOException e) {
                log.error("Cannot move the pidfile to {}: {}", settings.pidfile(), e.getMessage());
            }
        }
        control.promoted();
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
        String rebindFailure = listeners.rebind(settings, fresh, upgrade.partnerExists());
        if (rebindFailure != null) {
            return reloadRefused(rebindFailure);
        }
        try {
            hooks = MasterHooks.load(fresh.get(HOOKS), fresh.classpathUrls());
        } catch (RuntimeException e) {
            return reloadRefused(e.getMessage());
        }
        hooks.onReload(hookView);
        settings = fresh;
        setNumWorkers(fresh.get(WORKERS_COUNT));
        int generation = generations.begin();
        restarts.reset();
        log.info("Hang up: Master; starting generation {} ({} workers)", generation, numWorkers);
        notifier.notify("RELOADING=1", "MONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime()),
                "STATUS=Reloading: starting generation " + generation);
        return null;
    }

    private String reloadRefused(String why) {
        String message = generations.refused(why);
        log.error(message);
        return message;
    }

    /** A new generation could not boot: stop it and go back to the last one that was fully up. */
    private void rollBack(String why) {
        String message = generations.abandon(why);
        settings = generations.stableSettings();
        setNumWorkers(settings.get(WORKERS_COUNT));
        restarts.reset();
        log.error(message);
        notifier.notify("READY=1", "STATUS=" + message);
        for (WorkerProcess w : workers.values()) {
            if (w.generation > generations.current() && !w.retiring) {
                retire(w);
            }
        }
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
        return "Serving generation " + generations.current() + " with " + numWorkers + " workers";
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

    /** Collects every exited child, says why it died, and decides whether that stops the master. */
    private void reapWorkers() {
        Processes.Exit exit;
        while ((exit = processes.reap()) != null) {
            if (upgrade.newMasterExited(exit.pid)) {
                log.info("The new master (pid:{}) exited: {}", exit.pid, exit);
                continue;
            }
            WorkerProcess w = workers.remove((long) exit.pid);
            if (w == null) {
                log.debug("Reaped unknown child process (pid:{}, {})", exit.pid, exit);
                continue;
            }
            String output = processes.workerGone(w.pid);
            generations.workerExited(w, w.exitReason(exit), exit.toString(), !stopping, scoreboard.slot(w.slot).requests());
            freeSlot(w);
            hooks.childExit(hookView, MasterHooks.worker(w.pid, w.generation));
            if (stopping) {
                logExit(w, exit);
            } else if (w.failedToBoot(exit)) {
                workerFailedToBoot(w.generation, w.bootFailure(exit, output), w.bootFailureIsFinal(exit),
                        !exit.signalled() && exit.code() == ExitCodes.APP_LOAD_ERROR);
            } else {
                logExit(w, exit);
                if (w.crashed(exit)) {
                    workerCrashed(w);
                }
            }
        }
    }

    private void logExit(WorkerProcess w, Processes.Exit exit) {
        if (exit.signalled()) {
            if (exit.signal() == Signals.KILL) {
                log.error("Worker (pid:{}) was sent SIGKILL! Perhaps out of memory?", w.pid);
            } else if (exit.signal() == Signals.TERM) {
                log.info("Worker (pid:{}) was sent SIGTERM!", w.pid);
            } else {
                log.warn("Worker (pid:{}) was sent {}!", w.pid, Signals.name(exit.signal()));
            }
        } else if (exit.code() == ExitCodes.OUT_OF_MEMORY) {
            log.error("Worker (pid:{}) exited with code {}: out of memory.", w.pid, exit.code());
        } else if (exit.code() != ExitCodes.OK) {
            log.error("Worker (pid:{}) exited with code {}.", w.pid, exit.code());
        } else {
            log.debug("Worker (pid:{}) exited normally", w.pid);
        }
    }

    /**
     * A worker of {@code generation} died before it was ready ({@code why}), or could not be started.
     * Never up yet: the master stops, once {@code isFinal} or after {@link RestartPolicy#BOOT_ATTEMPTS};
     * a reload's generation is abandoned on the same terms; a generation that was up retries with backoff.
     */
    private void workerFailedToBoot(int generation, String why, boolean isFinal, boolean appLoad) {
        if (generation != generations.current()) {
            log.warn("A worker of abandoned generation {} failed to boot: {}", generation, why);
            return;
        }
        int failures = restarts.bootFailed(processes.nanoTime());
        boolean giveUp = isFinal || failures >= RestartPolicy.BOOT_ATTEMPTS;
        if (giveUp && !everReady) {
            throw new Halt(why, appLoad ? EXIT_APP_LOAD_ERROR : EXIT_WORKER_BOOT_ERROR, true);
        }
        if (giveUp && generations.reloading()) {
            rollBack(why);
            return;
        }
        log.warn("{} Retrying in {} s (failure {} in a row).", why, RestartPolicy.delayMillis(failures) / 1000.0, failures);
    }

    /** A ready worker died on its own: replaced at once, unless workers keep dying young. */
    private void workerCrashed(WorkerProcess w) {
        long now = processes.nanoTime();
        long delay = restarts.crashed(now, now - w.spawnedAt);
        if (delay > 0) {
            log.warn("Workers keep crashing soon after they start; the next one starts in {} s", delay / 1000.0);
        }
    }

    /** Notes workers that have become ready; a generation is stable once it is fully up and alone. */
    private void noteReadiness() {
        for (WorkerProcess w : workers.values()) {
            if (!w.ready && scoreboard.slot(w.slot).state() == Scoreboard.State.READY) {
                w.ready = true;
                w.lastBeatAt = processes.nanoTime();
                processes.workerReady(w.pid);
                if (!everReady && !upgrade.upgrading()) {
                    announceReady = true;
                }
                everReady = true;
                if (w.generation == generations.current()) {
                    restarts.booted();
                }
                log.debug("Worker (pid:{}) is ready", w.pid); // it-tests wait for this line
            }
        }
        if (announceReady && workers.values().stream().filter(w -> w.ready).count() >= numWorkers) {
            announceReady = false;
            notifier.notify("READY=1", "STATUS=" + status(), "MAINPID=" + pid);
        }
        if (generations.reloading()) {
            int generation = generations.current();
            long readyNew = workers.values().stream().filter(w -> w.generation == generation && w.ready).count();
            boolean oldLeft = workers.values().stream().anyMatch(w -> w.generation != generation);
            if (readyNew >= numWorkers && !oldLeft) {
                log.info(generations.complete(settings, readyNew));
                notifier.notify("READY=1", "STATUS=" + status());
            }
        }
    }

    /**
     * Timeouts. A ready worker whose heartbeat has not moved for {@code --timeout} seconds gets ABRT
     * (it writes a thread dump and exits 1); one still there {@link #ABORT_GRACE_SECONDS} later gets
     * KILL. A worker not ready within {@code --boot-timeout} is killed.
     */
    private void murderWorkers() {
        long now = processes.nanoTime();
        for (WorkerProcess w : workers.values()) {
            if (!w.ready) {
                if (!w.bootTimedOut && now - w.spawnedAt > TimeUnit.SECONDS.toNanos(settings.get(BOOT_TIMEOUT))) {
                    log.error("Worker (pid:{}) was not ready after {} s (--boot-timeout); killing it", w.pid,
                            settings.get(BOOT_TIMEOUT));
                    w.bootTimedOut = true;
                    processes.kill(w.pid, Signals.KILL);
                }
                continue;
            }
            long beats = scoreboard.slot(w.slot).beats();
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

    /**
     * Keeps {@code numWorkers} workers of the current generation: spawns the missing ones (unless
     * backing off), retires the oldest extra ones, and retires one worker of an older generation
     * for each new one ready.
     */
    private void manageWorkers() {
        if (stopping) {
            return;
        }
        int generation = generations.current();
        List<WorkerProcess> current = active(w -> w.generation == generation);
        if (current.size() < numWorkers) {
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
    private List<WorkerProcess> active(Predicate<WorkerProcess> filter) {
        return workers.values().stream().filter(w -> !w.retiring).filter(filter)
                .sorted(Comparator.comparingInt(w -> w.age)).collect(Collectors.toList());
    }

    private void retire(WorkerProcess w) {
        w.retiring = true;
        log.debug("Retiring worker (pid:{}, generation {})", w.pid, w.generation);
        processes.kill(w.pid, Signals.TERM);
    }

    private void spawnWorkers(int count) {
        for (int i = 0; i < count && restarts.maySpawn(processes.nanoTime()); i++) {
            spawnWorker();
        }
    }

    private void spawnWorker() {
        int slot = usedSlots.nextClearBit(0);
        if (slot >= SCOREBOARD_SLOTS) {
            log.error("Cannot start more than {} workers", SCOREBOARD_SLOTS);
            return;
        }
        int generation = generations.current();
        scoreboard.slot(slot).reset(generation);
        long maxRequests = settings.get(MAX_REQUESTS) <= 0 ? 0
                : settings.get(MAX_REQUESTS) + ThreadLocalRandom.current().nextLong(settings.get(MAX_REQUESTS_JITTER) + 1L);
        try {
            hooks.preFork(hookView, MasterHooks.worker(0, generation));
            long workerPid = processes.spawnWorker(settings, listeners.listeners(), generation, slot, maxRequests);
            usedSlots.set(slot);
            lastAge++;
            workers.put(workerPid, new WorkerProcess(workerPid, lastAge, generation, slot, processes.nanoTime()));
            log.debug("Spawned worker (pid:{}, generation {}, slot {})", workerPid, generation, slot);
        } catch (IOException e) {
            workerFailedToBoot(generation, "Worker failed to boot: " + e.getMessage() + ".", false, false);
        }
    }

    private void freeSlot(WorkerProcess w) {
        scoreboard.slot(w.slot).free();
        usedSlots.clear(w.slot);
    }

    private void killWorkers(int signal) {
        for (WorkerProcess w : workers.values()) {
            processes.kill(w.pid, signal);
        }
    }

    /**
     * Stops every worker. Graceful: close the listeners, TERM, wait up to {@code --graceful-timeout}
     * (an INT meanwhile makes it quick); quick: INT and the same wait. KILL whatever is left.
     */
    private void stop(boolean graceful) {
        stopping = true;
        if (listeners != null) {
            listeners.close(!upgrade.partnerExists());   // an upgrade partner still serves these sockets
        }
        long deadline = processes.nanoTime() + TimeUnit.SECONDS.toNanos(settings.get(GRACEFUL_TIMEOUT));
        killWorkers(graceful ? Signals.TERM : Signals.INT);
        while (!workers.isEmpty() && processes.nanoTime() - deadline < 0) {
            List<Sig> queued = awaitSignals(BUSY_WAIT_MILLIS);
            if (graceful && queued.contains(Sig.INT)) {
                log.info("Quick shutdown requested");
                graceful = false;
                killWorkers(Signals.INT);
                deadline = Math.min(deadline, processes.nanoTime() + TimeUnit.SECONDS.toNanos(QUICK_STOP_SECONDS));
            }
            reapWorkers();
        }
        if (!workers.isEmpty()) {
            log.warn("Killing {} worker(s) still running after {} s: {}", workers.size(), settings.get(GRACEFUL_TIMEOUT),
                    workers.keySet());
            killWorkers(Signals.KILL);
            long until = processes.nanoTime() + TimeUnit.SECONDS.toNanos(KILL_REAP_SECONDS);
            while (!workers.isEmpty() && processes.nanoTime() - until < 0) {
                reapWorkers();
                awaitSignals(KILL_REAP_POLL_MILLIS);
            }
        }
    }

    /** The signals queued while stopping; the stop only cares whether an INT came. */
    private List<Sig> awaitSignals(long millis) {
        try {
            return processes.awaitSignals(signals, millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(Sig.INT);
        }
    }

    private int halt(String reason, int status, boolean graceful) {
        if (upgrade.newMaster() != 0) {
            notifier.notify("MAINPID=" + upgrade.newMaster(), "STATUS=Handing over to the new master (pid "
                    + upgrade.newMaster() + ")");
        } else {
            notifier.notify("STOPPING=1", "STATUS=Stopping");
        }
        stop(graceful);
        log.info("Shutting down: Master");
        if (reason != null) {
            if (status != EXIT_OK) {
                log.error("Reason: {}", reason);
            } else {
                log.info("Reason: {}", reason);
            }
        }
        cleanUp();
        hooks.onExit(hookView);
        return status;
    }

    private void cleanUp() {
        if (listeners != null) {
            listeners.close(!upgrade.partnerExists());
        }
        if (pidfile != null) {
            pidfile.unlink();
        }
        if (scoreboard != null) {
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
        return generations.current();
    }

    @Override
    public int scale(Scale scale) {
        int n = scale.applyTo(numWorkers);
        setNumWorkers(n);
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
                processes.kill(w.pid, Signals.PWR);
            }
        }
        if (files.isEmpty()) {
            throw new ControlException(workerPid == 0 ? "no worker is up yet" : "worker " + workerPid + " is still booting");
        }
        return files;
    }

    @Override
    public void reopenLogs() {
        LogFiles.reopen();
        for (WorkerProcess w : workers.values()) {
            if (handlesSignals(w)) {
                processes.kill(w.pid, Signals.USR1);
            }
        }
    }

    /** A worker writes its pid in its slot once its handlers are in; before that, USR1 or PWR would kill it. */
    private boolean handlesSignals(WorkerProcess w) {
        return scoreboard.slot(w.slot).pid() == w.pid;
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
