package io.qilin.arbiter;

import io.qilin.arbiter.launch.WorkerLauncher;
import static io.qilin.arbiter.settings.Settings.BOOT_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.DAEMON;
import static io.qilin.arbiter.settings.Settings.GRACEFUL_TIMEOUT;
import static io.qilin.arbiter.settings.Settings.HOOKS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS;
import static io.qilin.arbiter.settings.Settings.MAX_REQUESTS_JITTER;
import static io.qilin.arbiter.settings.Settings.SHUTDOWN_DELAY;
import static io.qilin.arbiter.settings.Settings.TIMEOUT;
import static io.qilin.arbiter.settings.Settings.WORKERS_COUNT;
import static io.qilin.arbiter.settings.Settings.WORKER_CLASS;

import io.qilin.arbiter.control.ControlPlane;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.control.StatusBoard;
import io.qilin.arbiter.daemon.StartupReport;
import io.qilin.arbiter.files.LogFileGuard;
import io.qilin.arbiter.files.MasterFiles;
import io.qilin.arbiter.hooks.MasterHooks;
import io.qilin.arbiter.pidfile.Pidfile;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Signals;
import io.qilin.arbiter.systemd.Notifier;
import io.qilin.arbiter.systemd.Watchdog;
import io.qilin.logging.LogFiles;
import io.qilin.worker.ExitCodes;
import io.qilin.worker.protocol.StatsD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master: keeps {@code workers} worker JVMs alive on the shared listeners and acts on signals.
 * Read {@link #run()} first; it is the whole story. Only the loop thread touches the worker table;
 * signal handlers just queue the signal, and the control socket queues its commands for the loop
 * ({@link MasterControl}) and wakes it through the same queue. What it does to processes and time
 * goes through a {@link ProcessTable}.
 */
final class Arbiter {
    private static final Logger log = LoggerFactory.getLogger(Arbiter.class);

    /** The longest the loop sleeps; shorter while workers boot, so readiness is seen quickly. */
    private static final long IDLE_WAIT_MILLIS = 1000;
    private static final long BUSY_WAIT_MILLIS = 100;
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
    private final Generations generations;
    private final RestartPolicy restarts = new RestartPolicy();
    private final Upgrade upgrade;
    private final ShutdownDelay shutdownDelay = new ShutdownDelay();

    private Settings settings;
    private ListenerSource listeners;
    private Pidfile pidfile;
    private WorkerTable workers;
    private final LogFileGuard logGuard = new LogFileGuard();
    private WorkerTimeouts timeouts;
    private RollingReload rolling;
    private Recycler recycler;
    private CodeWatch codeWatch;
    private int numWorkers;
    private boolean everReady;
    /** The first generation has come up and systemd has not been told yet. */
    private boolean announceReady;
    private boolean stopping;
    private MasterHooks hooks = MasterHooks.none();
    private StatsD statsd;
    private final HookView hookView = new HookView(pid, () -> numWorkers, () -> settings);
    private final Notifier notifier;
    private final Watchdog watchdog;
    private final StartupReport startupReport;
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
        this.watchdog = Watchdog.fromEnvironment(env, pid, upgrade.oldMaster(), notifier);
        this.startupReport = StartupReport.fromEnvironment(env);
    }

    /** Runs until stopped; returns the master's exit code. */
    int run() {
        try {
            start();
            manageWorkers();
            while (true) {
                watchdog.keepAlive(processes.nanoTime());   // from this loop, so systemd restarts a master stuck in it
                maybePromote();
                for (Sig sig : waitForSignals()) {
                    handle(sig);
                }
                if (shutdownDelay.over(processes.nanoTime())) {
                    quit(true);
                }
                reapWorkers();
                noteReadiness();
                timeouts.check(settings);
                manageWorkers();
                reloadOnCodeChange();
                publishStatus();
            }
        } catch (Halt h) {
            return halt(h.reason, h.status, h.graceful);
        } catch (StartupError e) {
            log.error("{}", e.getMessage());
            startupReport.failed(e.getMessage());
            cleanUp();
            return MasterExitCodes.STARTUP_ERROR;
        } catch (RuntimeException e) {
            log.error("Unhandled exception in main loop", e);
            stop(false);
            cleanUp();
            return MasterExitCodes.UNHANDLED;
        }
    }

    /** Dispatches one queued signal; the switch has a branch for every {@link Sig}, and no default. */
    private void handle(Sig sig) {
        if (sig != Sig.CHLD && sig.isSignal()) {
            log.info("Handling signal: {}", sig.lower());
        }
        Runnable handler = switch (sig) {
            case HUP -> this::reload;
            case TERM -> () -> {   // graceful, after --shutdown-delay if this is the first TERM
                if (!shutdownDelay.begin(settings.get(SHUTDOWN_DELAY), processes.nanoTime())) {
                    quit(true);
                }
            };
            case INT -> () -> quit(false);
            case TTIN -> () -> setNumWorkers(numWorkers + 1);
            case TTOU -> () -> setNumWorkers(Math.max(1, numWorkers - 1));
            case USR1 -> this::reopenLogs;
            case USR2 -> this::reexec;
            case WINCH -> this::handleWinch;
            case CHLD -> () -> { }; // the loop reaps after every batch of signals
            case WAKEUP -> () -> control.runPending(new MasterControl(this, workers, generations, processes));
        };
        handler.run();
    }

    /** TERM (graceful) or INT: leave the loop and stop. */
    private static void quit(boolean graceful) {
        throw new Halt(null, MasterExitCodes.OK, graceful);
    }

    private void start() {
        log.info("Starting qilin {}{}", version, upgrade.upgrading() ? " (upgrade of master " + upgrade.oldMaster() + ")" : "");
        try {
            hooks = MasterHooks.load(settings.get(HOOKS), settings.classpathUrls());
            hooks.onStarting(hookView);
            hooks.nworkersChanged(hookView, numWorkers, 0);   // as Gunicorn, whose count starts unset
            statsd = StatsD.connect(settings.get(Settings.STATSD_HOST), settings.get(Settings.STATSD_PREFIX));
            if (statsd != null) {
                statsd.gauge("workers", numWorkers);
            }
        } catch (RuntimeException | LinkageError e) {
            throw new StartupError(e instanceof IllegalArgumentException ? e.getMessage() : "the on_starting hook failed: " + e);
        }
        processes.trapSignals(this::signalArrived);
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
            MasterFiles files = MasterFiles.create(settings.get(Settings.WORKER_TMP_DIR), pid,
                    WorkerLauncher.identity(settings), env);
            workers = WorkerTable.create(files);
            processes.filesCreated(files);
            timeouts = new WorkerTimeouts(workers, processes);
            rolling = new RollingReload(workers, generations);
            recycler = new Recycler(workers, processes, generations);
            codeWatch = CodeWatch.of(settings, processes.nanoTime());
        } catch (IOException e) {
            throw new StartupError("cannot create the scoreboard: " + e.getMessage());
        }
    }

    /** Publishes what {@code qilin ctl status} and the metrics show: the only view other threads get of the workers. */
    MasterStatus publishStatus() {
        long nowNanos = processes.nanoTime();
        long nowMillis = System.currentTimeMillis();
        return statusBoard.publish(new MasterStatus(pid, version, startedAt, nowMillis, generations.current(),
                generations.stable(), numWorkers, listeners.listeners().stream().map(Object::toString)
                .collect(Collectors.toList()), settings.describe(), workers.status(nowNanos, nowMillis),
                generations.history()));
    }

    /** Waits for signals: briefly while workers boot or are missing, so their readiness or a backoff's end is seen soon. */
    private List<Sig> waitForSignals() {
        boolean busy = workers.any(w -> !w.ready) || generations.reloading()
                || workers.active(w -> w.generation == generations.current()).size() < numWorkers;
        long now = processes.nanoTime();
        return processes.awaitSignals(signals,
                watchdog.capWait(shutdownDelay.capWait(busy ? BUSY_WAIT_MILLIS : IDLE_WAIT_MILLIS, now), now));
    }

    /** USR2: start a new master that inherits the listeners ({@link Upgrade}); both serve until one is stopped. */
    private void reexec() {
        if (upgrade.mayReexec()) {
            hooks.preExec(hookView);
            upgrade.reexec(processes, MasterCommand.relaunch(args), pid, listeners.listeners(), listeners.systemd());
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
    String reload() {
        Settings fresh;
        try {
            fresh = settingsSource.get();
        } catch (RuntimeException e) {
            return generations.refused(e.getMessage());
        }
        String rebindFailure = listeners.rebind(settings, fresh, upgrade.partnerExists());
        if (rebindFailure != null) {
            return generations.refused(rebindFailure);
        }
        try {
            hooks = MasterHooks.load(fresh.get(HOOKS), fresh.classpathUrls());
        } catch (RuntimeException e) {
            return generations.refused(e.getMessage());
        }
        hooks.onReload(hookView);
        settings = fresh;
        codeWatch = CodeWatch.of(fresh, processes.nanoTime());
        setNumWorkers(fresh.get(WORKERS_COUNT));
        int generation = generations.begin();
        restarts.reset();
        log.info("Hang up: Master; starting generation {} ({} workers)", generation, numWorkers);
        notifier.notify("RELOADING=1", "MONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime()),
                "STATUS=Reloading: starting generation " + generation);
        return null;
    }

    /** {@code --reload}: a change on the classpath, held still, reloads as HUP does. */
    private void reloadOnCodeChange() {
        String changed = codeWatch.poll(processes.nanoTime());
        if (changed != null) {
            log.info("Reloading (--reload): changed {}", changed);   // it-tests match this line
            reload();   // a refusal is logged there
        }
    }

    /** A new generation could not boot: stop it and go back to the last one that was fully up. */
    private void rollBack(String why) {
        String message = generations.abandon(why);
        settings = generations.stableSettings();
        setNumWorkers(settings.get(WORKERS_COUNT));
        restarts.reset();
        notifier.notify("READY=1", "STATUS=" + message);
        for (WorkerProcess w : workers.all()) {
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

    void setNumWorkers(int n) {
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
            WorkerProcess w = workers.remove(exit.pid);
            if (w == null) {
                log.debug("Reaped unknown child process (pid:{}, {})", exit.pid, exit);
                continue;
            }
            String output = processes.workerGone(w.pid);
            generations.workerExited(w, w.exitReason(exit), exit.toString(), !stopping, workers.slot(w).requests());
            if (!stopping && w.replacedFor(exit) != null) {
                generations.recycled(w.replacedFor(exit));
            }
            hooks.childExit(hookView, MasterHooks.worker(w.pid, w.generation));
            if (stopping) {
                w.logExit(exit);
            } else if (w.failedToBoot()) {
                workerFailedToBoot(w.generation, w.bootFailure(exit, output), w.bootFailureIsFinal(exit),
                        !exit.signalled() && exit.code() == ExitCodes.APP_LOAD_ERROR);
            } else {
                w.logExit(exit);
                if (w.crashed(exit)) {
                    workerCrashed(w);
                }
            }
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
            throw new Halt(why, appLoad ? MasterExitCodes.APP_LOAD_ERROR : MasterExitCodes.WORKER_BOOT_ERROR, true);
        }
        if (giveUp && generations.reloading()) {
            rollBack(why);
            return;
        }
        log.warn("{} Retrying in {} s (failure {} in a row).", why, RestartPolicy.delayMillis(failures) / 1000.0, failures);
    }

    /** A ready worker died on its own: replaced at once, unless workers keep dying young. */
    private void workerCrashed(WorkerProcess w) {
        long delay = restarts.crashed(processes.nanoTime(), processes.nanoTime() - w.spawnedAt);
        if (delay > 0) {
            log.warn("Workers keep crashing soon after they start; the next one starts in {} s", delay / 1000.0);
        }
    }

    /** Notes workers that have become ready; a generation is stable once it is fully up and alone. */
    private void noteReadiness() {
        for (WorkerProcess w : workers.all()) {
            if (!w.ready && workers.slot(w).state().serving()) {
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
        if (announceReady && workers.count(w -> w.ready) >= numWorkers) {
            announceReady = false;
            notifier.notify("READY=1", "STATUS=" + status(), "MAINPID=" + pid);
            startupReport.ready();
        }
        if (generations.reloading()) {
            int generation = generations.current();
            long readyNew = workers.count(w -> w.generation == generation && w.ready);
            boolean oldLeft = workers.any(w -> w.generation != generation);
            if (readyNew >= numWorkers && !oldLeft) {
                generations.complete(settings, readyNew);
                notifier.notify("READY=1", "STATUS=" + status());
            }
        }
    }

    /**
     * Keeps {@code numWorkers} staying workers of the current generation: retires the oldest extra
     * ones, one worker of an older generation for each new one ready, and recycled ones once replaced
     * ({@link Recycler}); then spawns the missing ones, which include the replacements of workers being
     * recycled (unless backing off; a reload's in batches, {@link RollingReload}).
     */
    private void manageWorkers() {
        if (stopping) {
            return;
        }
        int generation = generations.current();
        recycler.select(settings);
        List<WorkerProcess> current = workers.active(w -> w.generation == generation && w.staying());
        for (int i = 0; i < current.size() - numWorkers; i++) {
            retire(current.get(i));
        }
        long readyCurrent = current.stream().filter(w -> w.ready).count();
        List<WorkerProcess> old = workers.active(w -> w.generation != generation && !w.drainingOnItsOwn);
        long keepOld = Math.max(0, numWorkers - readyCurrent);
        for (int i = 0; i < old.size() - keepOld; i++) {
            retire(old.get(i));
        }
        recycler.retireReplaced(readyCurrent, numWorkers, this::retire);
        int started = spawnWorkers(rolling.spawnable(numWorkers - current.size(), settings, numWorkers));
        rolling.started(started, settings, numWorkers);
    }

    void retire(WorkerProcess w) {
        w.retiring = true;
        log.debug("Retiring worker (pid:{}, generation {})", w.pid, w.generation);
        processes.kill(w.pid, Signals.TERM);
    }

    /** Returns how many it started. */
    private int spawnWorkers(int count) {
        int started = 0;
        for (; started < count && restarts.maySpawn(processes.nanoTime()); started++) {
            spawnWorker();
        }
        return started;
    }

    private void spawnWorker() {
        int generation = generations.current();
        int slot = workers.claimSlot(generation);
        if (slot < 0) {
            log.error("Cannot start more than {} workers", WorkerTable.SCOREBOARD_SLOTS);
            return;
        }
        long maxRequests = settings.get(MAX_REQUESTS) <= 0 ? 0
                : settings.get(MAX_REQUESTS) + ThreadLocalRandom.current().nextLong(settings.get(MAX_REQUESTS_JITTER) + 1L);
        try {
            hooks.preFork(hookView, MasterHooks.worker(0, generation));
            long workerPid = processes.spawnWorker(settings, listeners.listeners(), generation, slot, maxRequests);
            workers.add(workerPid, generation, slot, processes.nanoTime());
            log.debug("Spawned worker (pid:{}, generation {}, slot {})", workerPid, generation, slot);
        } catch (IOException e) {
            workerFailedToBoot(generation, "Worker failed to boot: " + e.getMessage() + ".", false, false);
        }
    }

    private void killWorkers(int signal) {
        for (WorkerProcess w : workers.all()) {
            processes.kill(w.pid, signal);
        }
    }

    /**
     * Stops every worker. Graceful: close the listeners, TERM, wait up to {@code --graceful-timeout}
     * (an INT meanwhile makes it quick); quick: INT and the same wait. KILL whatever is left.
     */
    private void stop(boolean graceful) {
        stopping = true;
        statusBoard.markStopping();
        if (listeners != null) {
            listeners.close(!upgrade.partnerExists());   // an upgrade partner still serves these sockets
        }
        if (workers == null) {
            return;   // it failed before it had any
        }
        long deadline = processes.nanoTime() + TimeUnit.SECONDS.toNanos(settings.get(GRACEFUL_TIMEOUT));
        killWorkers(graceful ? Signals.TERM : Signals.INT);
        while (!workers.isEmpty() && processes.nanoTime() - deadline < 0) {
            List<Sig> queued = processes.awaitSignals(signals, BUSY_WAIT_MILLIS);   // only an INT matters now
            if (graceful && queued.contains(Sig.INT)) {
                log.info("Quick shutdown requested");
                graceful = false;
                killWorkers(Signals.INT);
                deadline = Math.min(deadline, processes.nanoTime() + TimeUnit.SECONDS.toNanos(QUICK_STOP_SECONDS));
            }
            reapWorkers();
            publishStatus();   // the loop still turns: /livez, ctl status
            watchdog.keepAlive(processes.nanoTime());
        }
        if (!workers.isEmpty()) {
            log.warn("Killing {} worker(s) still running after {} s: {}", workers.pids().size(),
                    settings.get(GRACEFUL_TIMEOUT), workers.pids());
            killWorkers(Signals.KILL);
            long until = processes.nanoTime() + TimeUnit.SECONDS.toNanos(KILL_REAP_SECONDS);
            while (!workers.isEmpty() && processes.nanoTime() - until < 0) {
                reapWorkers();
                processes.awaitSignals(signals, KILL_REAP_POLL_MILLIS);
            }
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
            if (status != MasterExitCodes.OK) {
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
        if (listeners != null) {
            listeners.close(!upgrade.partnerExists());
        }
        if (pidfile != null) {
            pidfile.unlink();
        }
        if (workers != null) {
            workers.close();
        }
        if (control != null) {
            control.close();   // last: a waiting 'qilin ctl stop' returns once all of the above is done
        }
    }

    /** USR1, or {@code qilin ctl reopen}: reopen the log files, and have each worker reopen its own. */
    void reopenLogs() {
        if (WorkerLauncher.logsReopenable(settings, logGuard)) {
            LogFiles.reopen();
        }
        for (WorkerProcess w : workers.all()) {
            if (workers.handlesSignals(w)) {
                processes.kill(w.pid, Signals.USR1);
            }
        }
    }

    /**
     * Runs on the thread that delivered the signal, or the control socket's: queues it for the loop.
     * TERM and INT also mark the master as stopping at once, so /readyz fails before the loop sees them.
     */
    void signalArrived(Sig sig) {
        if (sig == Sig.TERM || sig == Sig.INT) {
            statusBoard.markStopping();
        }
        signals.offer(sig);
    }

    int numWorkers() {
        return numWorkers;
    }
}
