package io.qilin.it.apps;

import com.sun.net.httpserver.HttpExchange;
import io.qilin.worker.ServerHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Server hooks that append "hook pid [detail]" to the file named by $HOOKS_LOG, from whichever process runs them. */
public class RecordingHooks implements ServerHooks {
    private static void record(String line) {
        try {
            Files.writeString(Path.of(System.getenv("HOOKS_LOG")), line + " " + ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void onStarting(Master master) {
        record("on_starting");
    }

    @Override
    public void whenReady(Master master) {
        record("when_ready workers=" + master.workers() + " timeout=" + master.setting("timeout"));
    }

    @Override
    public void onReload(Master master) {
        record("on_reload");
    }

    @Override
    public void preFork(Master master, WorkerInfo worker) {
        record("pre_fork generation=" + worker.generation());
    }

    @Override
    public void childExit(Master master, WorkerInfo worker) {
        record("child_exit worker=" + worker.pid());
    }

    @Override
    public void nworkersChanged(Master master, int newValue, int oldValue) {
        record("nworkers_changed " + oldValue + "->" + newValue);
    }

    @Override
    public void onExit(Master master) {
        record("on_exit");
    }

    @Override
    public void postFork(WorkerInfo worker) {
        record("post_fork");
    }

    @Override
    public void postWorkerInit(WorkerInfo worker) {
        record("post_worker_init");
    }

    @Override
    public void preRequest(WorkerInfo worker, HttpExchange exchange) {
        record("pre_request " + exchange.getRequestURI());
    }

    @Override
    public void postRequest(WorkerInfo worker, HttpExchange exchange) {
        record("post_request " + exchange.getRequestURI() + " " + exchange.getResponseCode());
    }

    @Override
    public void workerInt(WorkerInfo worker) {
        record("worker_int");
    }

    @Override
    public void workerAbort(WorkerInfo worker) {
        record("worker_abort");
    }

    @Override
    public void workerExit(WorkerInfo worker) {
        record("worker_exit");
    }
}
