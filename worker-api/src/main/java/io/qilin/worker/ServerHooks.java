package io.qilin.worker;

import com.sun.net.httpserver.HttpExchange;

/**
 * Gunicorn's server hooks in Java: implement the ones you need (each has a no-op default), put the
 * class on {@code --classpath} and name it with {@code --hooks com.example.Hooks}. It needs a public
 * no-argument constructor. Each hook runs in the process Gunicorn runs it in: the master's hooks in
 * the master (on its loop thread: keep them short), the worker's in every worker JVM. An exception
 * from a hook is logged and ignored, except from {@link #postFork} and {@link #postWorkerInit}, which
 * fail the worker's boot as Gunicorn's do.
 */
public interface ServerHooks {

    /** What the master's hooks see of the master. */
    interface Master {
        long pid();

        /** The number of workers the master keeps now. */
        int workers();

        /** The value of a setting by its name (see docs/settings.md), as text; null when unset. */
        String setting(String name);
    }

    /** What hooks see of one worker. */
    interface WorkerInfo {
        /** The worker's pid; 0 in {@link #preFork}, before it exists. */
        long pid();

        /** Its reload generation, 1 for the first. */
        int generation();
    }

    /** Master: before anything else, once. */
    default void onStarting(Master master) {
    }

    /** Master: on HUP, before the new generation is started. */
    default void onReload(Master master) {
    }

    /** Master: once the listeners are bound, before the first workers start. */
    default void whenReady(Master master) {
    }

    /** Master: before a worker JVM is started. */
    default void preFork(Master master, WorkerInfo worker) {
    }

    /** Master: before a new master is started by USR2. */
    default void preExec(Master master) {
    }

    /** Master: after a worker exited and was reaped. */
    default void childExit(Master master, WorkerInfo worker) {
    }

    /**
     * Master: when the number of workers to keep changes: at start-up (from 0, where Gunicorn passes
     * None; after {@link #onStarting}, where Gunicorn fires it before), TTIN, TTOU, WINCH, a reload
     * that changes {@code --workers}, {@code qilin ctl scale}.
     */
    default void nworkersChanged(Master master, int newValue, int oldValue) {
    }

    /** Master: just before it exits. */
    default void onExit(Master master) {
    }

    /** Worker: first thing in a new worker JVM, before the application is loaded; throwing fails its boot. */
    default void postFork(WorkerInfo worker) throws Exception {
    }

    /** Worker: after the application is loaded, before serving; throwing fails its boot. */
    default void postWorkerInit(WorkerInfo worker) throws Exception {
    }

    /** Worker: on INT (quick stop), before it exits. */
    default void workerInt(WorkerInfo worker) {
    }

    /** Worker: on ABRT (the master's timeout), after the thread dump, before it exits. */
    default void workerAbort(WorkerInfo worker) {
    }

    /** Worker: before a portable application handles a request. */
    default void preRequest(WorkerInfo worker, HttpExchange exchange) {
    }

    /** Worker: after a portable application handled a request (also when it failed). */
    default void postRequest(WorkerInfo worker, HttpExchange exchange) {
    }

    /**
     * Worker: as the worker exits, however it leaves: a graceful stop or recycling, INT (after
     * {@link #workerInt}), an abort (after {@link #workerAbort}), a failed boot. Once per worker.
     */
    default void workerExit(WorkerInfo worker) {
    }
}
