package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import io.qilin.worker.internal.ConformanceProbes;
import io.qilin.worker.internal.LogBackend;
import io.qilin.worker.internal.ParentWatch;
import io.qilin.worker.protocol.Scoreboard;
import io.qilin.worker.protocol.ThreadDumps;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The base of every worker process, carrying Gunicorn's worker lifecycle. A kind implements
 * {@link #run()} and little else:
 * <ol>
 *   <li>{@link #initProcess()}: signal handlers, the parent-death watch, the application, then
 *       {@link #run()};</li>
 *   <li>{@link #run()}: the kind's loop. It calls {@link #notifyAlive()} from the thread that must not
 *       hang, returns once {@link #isAlive()} turns false and in-flight requests are done. Its first
 *       call, made once the kind accepts connections, tells the master the worker is ready;</li>
 *   <li>TERM calls {@link #handleExit()} (graceful), INT {@link #handleQuit()} (quick), ABRT
 *       {@link #handleAbort()} (thread dump, exit 1), USR1 {@link #handleReopen()}, PWR a thread dump
 *       for {@code qilin ctl dump}.</li>
 * </ol>
 * QUIT stays the JVM's own thread dump: HotSpot reserves it.
 */
public abstract class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final long PARENT_CHECK_NANOS = 1_000_000_000L;
    /**
     * How long a worker that asked to be replaced serves on before it stops by itself, should the master
     * never replace it: long enough for a master recycling one worker at a time to reach every worker.
     */
    static final long REPLACEMENT_GRACE_NANOS = 300_000_000_000L;

    protected final WorkerContext context;
    private volatile boolean alive = true;
    private volatile boolean booted;
    private volatile boolean announcedReady;
    /** True while the warm-up runs: its requests are not counted, logged or timed as users' requests. */
    private volatile boolean warming;
    /** Warm-up requests started and not finished yet: their late ends must not touch the scoreboard. */
    private final AtomicInteger warmupUnfinished = new AtomicInteger();
    private volatile int exitCode = ExitCodes.OK;
    private RequestTimeouts requestTimeouts;
    /** Orders the READY and DRAINING writes to the scoreboard, so a stopping worker never turns READY. */
    private final Object stateLock = new Object();
    private volatile long lastParentCheck = System.nanoTime();
    private final AtomicLong served = new AtomicLong();
    private final long maxRequests;
    /** It reached --max-requests and asked the master for a replacement, at {@link #replacementAskedAt}. */
    private volatile boolean replacementAsked;
    private volatile long replacementAskedAt;
    private ParentWatch parentWatch;
    private Object app;
    private static final ServerHooks NO_HOOKS = new ServerHooks() {
    };
    private volatile ServerHooks hooks = NO_HOOKS;
    private final AtomicBoolean exitHookRan = new AtomicBoolean();
    private final ServerHooks.WorkerInfo info = new ServerHooks.WorkerInfo() {
        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public int generation() {
            return context.config().generation();
        }
    };

    protected Worker(WorkerContext context) {
        this.context = context;
        this.maxRequests = context.config().maxRequests();
    }

    /** Signals, parent watch, application, then {@link #run()}. Called once, by {@code WorkerMain}. */
    public final void initProcess() throws Exception {
        if (context.fromMaster()) {
            installSignalHandlers();
        }
        // after the handlers: the master sends PWR (whose default action kills) only once the pid is in the slot
        context.pid(ProcessHandle.current().pid());
        parentWatch = new ParentWatch(context.config().masterPid(), this::parentGone);
        if (context.config().parentWatchFd() >= 0) {
            parentWatch.watchPipe(context.config().parentWatchFd());
        }
        hooks = loadHooks();
        boolean checkOnly = context.config().checkOnly();
        boolean trainOnly = context.config().trainOnly();
        try {
            hooks.postFork(info);
            app = AppLoader.load(context.config().app(), context.appLoader(), appTypes(), appFactoryArguments());
            if (checkOnly) {
                log.info("Application {} loaded; not serving (--check-config)", context.config().app());
                return;
            }
            if (trainOnly) {
                warmUp();
                log.info("Training run done; the JVM writes its class cache as it exits");
                return;
            }
            hooks.postWorkerInit(info);
            warmUp();
            context.beat();
            context.sampleHeap();
            booted = true;
            run();
        } finally {
            if (!checkOnly && !trainOnly) {
                runExitHook();
            }
        }
    }

    /** {@code worker_exit}, once, however the worker leaves: as in Gunicorn, where it runs in the worker's last {@code finally}. */
    private void runExitHook() {
        if (exitHookRan.compareAndSet(false, true)) {
            guarded("worker_exit", () -> hooks.workerExit(info));
        }
    }

    /** The {@code --hooks} class, from the application's class loader; hooks that do nothing when there is none. */
    private ServerHooks loadHooks() throws AppLoadException {
        String name = context.config().get(WorkerEnv.HOOKS);
        if (name.isEmpty()) {
            return NO_HOOKS;
        }
        try {
            return (ServerHooks) Class.forName(name, true, context.appLoader()).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new AppLoadException("cannot create the hooks class " + name + ": " + e, e);
        }
    }

    private void guarded(String hook, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | LinkageError e) {
            log.warn("The {} hook failed: {}", hook, e.toString(), e);
        }
    }

    /**
     * The portable application, with the {@code pre_request} and {@code post_request} hooks around it
     * when {@code --hooks} names a class. Kinds serve this rather than {@link #app()}.
     */
    protected final HttpHandler portableApp() {
        HttpHandler handler = (HttpHandler) app;
        if (hooks == NO_HOOKS) {
            return handler;
        }
        return exchange -> {
            guarded("pre_request", () -> hooks.preRequest(info, exchange));
            try {
                handler.handle(exchange);
            } finally {
                guarded("post_request", () -> hooks.postRequest(info, exchange));
            }
        };
    }

    /**
     * Serves this kind's real HTTP stack on a loopback listener of its own, for the warm-up that runs
     * before the worker reports ready (and before {@link #run()}); no user request reaches it. Called
     * at most once, on the main thread, once the application is loaded. Null (the default): this kind
     * does not warm up.
     */
    protected WarmupListener openWarmupListener() throws Exception {
        return null;
    }

    /** True while the warm-up runs; kinds need not check it (request bookkeeping and the access log do). */
    protected final boolean isWarmingUp() {
        return warming;
    }

    /**
     * The warm-up requests and hook, then the boot log line with their time, which also goes to the
     * scoreboard for {@code qilin ctl status}. A kind without a warm-up listener boots without.
     */
    private void warmUp() throws Exception {
        WarmupRun run = WarmupRun.fromConfig(context.config());
        Warmup hook = run.hook(app, context.appLoader());
        WarmupRun.Result result = null;
        if (run.wanted(hook)) {
            warming = true;
            AccessLog.warmingUp = true;
            try (WarmupListener listener = openWarmupListener()) {
                if (listener != null) {
                    result = run.run(listener, hook);
                }
            } finally {
                warming = false;
                AccessLog.warmingUp = false;
            }
        }
        long pid = ProcessHandle.current().pid();
        long bootMillis = ProcessHandle.current().info().startInstant()
                .map(t -> System.currentTimeMillis() - t.toEpochMilli()).orElse(-1L);
        if (result == null) {
            log.info("Worker booted (pid: {}) in {} ms, no warm-up", pid, bootMillis);
        } else {
            context.warmupMillis(result.millis());
            // it-tests match this line
            log.info("Worker booted (pid: {}) in {} ms, warm-up {} ms: {}", pid, bootMillis, result.millis(),
                    result.describe(run.paths()));
        }
    }

    /**
     * The {@code --request-timeout} watch, for kinds that run requests on threads of the application
     * (gthread, vertx); null when it is off. Its checking thread starts at the first call.
     */
    protected final synchronized RequestTimeouts requestTimeouts() {
        if (requestTimeouts == null) {
            requestTimeouts = RequestTimeouts.start(context.config().getInt(WorkerEnv.REQUEST_TIMEOUT), this);
        }
        return requestTimeouts;
    }

    /** The exit code once {@link #run()} has returned: {@link ExitCodes#OK}, or why the worker asked to go. */
    public final int exitCode() {
        return exitCode;
    }

    /**
     * A request outran {@code --request-timeout} and its thread is stuck: stop gracefully, as TERM does,
     * and exit with {@link ExitCodes#REQUEST_TIMEOUT} so that the master starts another worker.
     */
    final void replaceForStuckRequest(String thread) {
        if (exitCode == ExitCodes.REQUEST_TIMEOUT) {
            return;
        }
        exitCode = ExitCodes.REQUEST_TIMEOUT;
        // it-tests match this line
        log.warn("Worker (pid: {}) stops gracefully to be replaced: thread {} is stuck in a request that timed out",
                ProcessHandle.current().pid(), thread);
        stopAccepting();
    }

    /** The kind's loop; returns when the worker should exit with code 0. */
    protected abstract void run() throws Exception;

    /**
     * The application types this kind serves. The portable JDK {@link HttpHandler} by default; a kind
     * that serves its server's native handler adds that type.
     */
    protected List<Class<?>> appTypes() {
        return List.of(HttpHandler.class);
    }

    /**
     * The types of argument this kind can pass to an application factory (see {@link AppFactory}); none
     * by default.
     */
    protected List<Class<?>> appFactoryArguments() {
        return List.of();
    }

    /** The loaded application, an instance of one of {@link #appTypes()}, or an {@link AppFactory}. */
    protected final Object app() {
        return app;
    }

    /** False once the worker has been asked to stop (TERM, INT, max-requests, master gone). */
    public final boolean isAlive() {
        return alive;
    }

    /** True once the application is loaded and the worker is about to serve. */
    public final boolean isBooted() {
        return booted;
    }

    /** Asks the loop to stop after the requests in flight; kinds that block override to wake up (call super). */
    protected void stopAccepting() {
        synchronized (stateLock) {
            alive = false;
            context.state(Scoreboard.State.DRAINING);
        }
    }

    private void announceReady() {
        synchronized (stateLock) {
            if (!announcedReady) {
                announcedReady = true;
                if (alive) {
                    context.state(replacementAsked ? Scoreboard.State.RECYCLE : Scoreboard.State.READY);
                    log.debug("worker ready: {} serving {}", getClass().getSimpleName(), context.config().app());
                }
            }
        }
    }

    /**
     * Graceful stop from inside the process, as TERM does; for workers run in-process (tests,
     * embedding), where no signal handlers are installed.
     */
    public final void stop() {
        handleExit();
    }

    /** TERM: graceful stop. Stops accepting and lets {@link #run()} return when requests are done. */
    protected void handleExit() {
        log.info("Worker exiting gracefully (pid: {})", ProcessHandle.current().pid());
        stopAccepting();
    }

    /** INT: quick stop. Exits at once; requests in flight are cut. */
    protected void handleQuit() {
        log.info("Worker exiting quickly (pid: {})", ProcessHandle.current().pid());
        alive = false;
        guarded("worker_int", () -> hooks.workerInt(info));
        runExitHook();
        Runtime.getRuntime().halt(ExitCodes.OK);
    }

    /** ABRT, sent by the master on timeout: a full thread dump to the log, then exit 1. */
    protected void handleAbort() {
        log.error("Worker aborted by the master after a timeout (pid: {}); thread dump follows\n{}",
                ProcessHandle.current().pid(), ThreadDumps.dump());
        guarded("worker_abort", () -> hooks.workerAbort(info));
        runExitHook();
        Runtime.getRuntime().halt(ExitCodes.ABORTED);
    }

    /** USR1: reopen the log files. */
    protected void handleReopen() {
        List<String> files = LogBackend.current().reopen();
        log.info("Reopened log files {}", files);
    }

    /**
     * PWR (Linux's SIGINFO), sent by {@code qilin ctl dump}: a full thread dump to the file the master
     * reads back (QUIT would print it to this process's stdout, out of the caller's reach). Not USR2:
     * HotSpot suspends threads with USR2 for JFR's sampling, and a handler there breaks it.
     */
    private void handleDump() {
        Path file = context.threadDumpFile();
        if (file == null) {
            return;
        }
        try {
            ThreadDumps.writeTo(file);
            log.info("Thread dump written for qilin ctl dump: {}", file);
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot write the thread dump qilin ctl dump asked for to {}: {}", file, e.toString());
        }
    }

    /**
     * The heartbeat. Call it from the thread whose hanging should get this worker aborted, at least
     * every {@code timeout / 2} seconds, starting once the worker accepts connections: the first call
     * from {@link #run()} marks it ready, which a reload waits for before it retires an old worker.
     * Also checks, about once a second, that the master still lives, and records the heap for
     * {@code qilin ctl status}.
     */
    public final void notifyAlive() {
        context.beat();
        if (booted && !announcedReady) {
            announceReady();
        }
        long now = System.nanoTime();
        if (now - lastParentCheck > PARENT_CHECK_NANOS) {
            lastParentCheck = now;
            context.sampleHeap();
            if (replacementAsked && alive && now - replacementAskedAt > REPLACEMENT_GRACE_NANOS) {
                log.info("The master has not replaced this worker in {} s; stopping after the current requests.",
                        REPLACEMENT_GRACE_NANOS / 1_000_000_000L);
                stopAccepting();
            }
            if (parentWatch != null && !parentWatch.parentAlive()) {
                parentGone("the parent process changed from the master (pid " + context.config().masterPid() + ")");
            }
        }
    }

    /**
     * Call when a request starts, from the thread that read it (the one whose hang stops the heartbeat;
     * the conformance kit hangs this very call to check that): records it in the scoreboard and counts
     * it against {@code --max-requests}. Under a master, reaching it asks the master for a replacement
     * and the worker serves on until the master TERMs it; run in-process, {@link #isAlive()} turns false
     * at once and the kind should close the connection after the response.
     */
    protected final void requestStarted(String requestLine) {
        if (warming) {
            warmupUnfinished.incrementAndGet();
            return;
        }
        ConformanceProbes.onRequestStarted(requestLine);
        context.requestStarted(requestLine);
        if (maxRequests > 0 && !replacementAsked && served.incrementAndGet() >= maxRequests && alive) {
            if (context.fromMaster()) {
                askForReplacement();
            } else {
                log.info("Autorestarting worker after current request ({} requests).", maxRequests);
                stopAccepting();
            }
        }
    }

    /** Marks the slot RECYCLE: the master starts a replacement and TERMs this worker once it is ready. */
    private void askForReplacement() {
        synchronized (stateLock) {
            if (replacementAsked || !alive) {
                return;
            }
            replacementAskedAt = System.nanoTime();
            replacementAsked = true;
            if (announcedReady) {
                context.state(Scoreboard.State.RECYCLE);
            }
        }
        log.info("Served {} requests (--max-requests): asking the master for a replacement, serving until it is ready.",
                maxRequests);
    }

    /** Call when a request's response is complete (or has failed). */
    protected final void requestFinished() {
        // a warm-up request may end after the warm-up (its client gave up): the counts stay balanced
        if (warmupUnfinished.get() > 0 && warmupUnfinished.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return;
        }
        context.requestFinished();
    }

    private void parentGone(String reason) {
        log.info("Parent changed, shutting down: {}", reason);
        Runtime.getRuntime().halt(ExitCodes.OK);
    }

    private void installSignalHandlers() {
        Signal.handle(new Signal("TERM"), s -> handleExit());
        Signal.handle(new Signal("INT"), s -> handleQuit());
        Signal.handle(new Signal("ABRT"), s -> handleAbort());
        Signal.handle(new Signal("USR1"), s -> handleReopen());
        Signal.handle(new Signal("PWR"), s -> handleDump());
        Signal.handle(new Signal("WINCH"), s -> log.debug("SIGWINCH ignored"));
    }
}
