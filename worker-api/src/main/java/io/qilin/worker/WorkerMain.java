package io.qilin.worker;

import io.qilin.worker.internal.LogFiles;
import io.qilin.worker.internal.LogLevels;
import io.qilin.worker.internal.WorkerKinds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a worker JVM. Reads its settings from the {@code QILIN_*} environment the master
 * set, finds the worker kind, and runs the worker; the exit code tells the master how it ended (see
 * {@link ExitCodes}).
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.setProperty("qilin.pid", Long.toString(ProcessHandle.current().pid()));
        System.setProperty("qilin.role", "worker");
        WorkerConfig config = WorkerConfig.fromEnv(System.getenv());
        LogLevels.apply(config.get("LOG_LEVEL", "info"));
        LogFiles.logTo(config.get("ERROR_LOGFILE", "-"));
        LogFiles.accessLogTo(config.get("ACCESS_LOGFILE", ""));
        Logger log = LoggerFactory.getLogger(WorkerMain.class);
        long pid = ProcessHandle.current().pid();
        log.info("Booting worker with pid: {}", pid);
        Worker worker = null;
        int code;
        try {
            ClassLoader loader = WorkerMain.class.getClassLoader();
            WorkerKind kind = WorkerKinds.discover(loader).select(config.workerClass(), loader);
            worker = kind.create(WorkerContext.fromMaster(config, loader));
            worker.initProcess();
            code = worker.exitCode();
        } catch (AppLoadException e) {
            log.error("App failed to load: {}", e.getMessage());
            code = ExitCodes.APP_LOAD_ERROR;
        } catch (Throwable e) {
            boolean booted = worker != null && worker.isBooted();
            log.error("Exception in worker process", e);
            code = booted ? 255 : ExitCodes.WORKER_BOOT_ERROR;
        }
        log.info("Worker exiting (pid: {})", pid);
        System.exit(code);
    }
}
