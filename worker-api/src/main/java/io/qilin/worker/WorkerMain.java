package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import io.qilin.worker.protocol.FileDescriptors;
import io.qilin.worker.internal.LogBackend;
import io.qilin.worker.protocol.WorkerKinds;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a worker JVM. Reads its settings from the {@code QILIN_*} environment the master
 * set, finds the worker kind, and runs the worker; the exit code tells the master how it ended (see
 * {@link ExitCodes}).
 */
public final class WorkerMain {
    /** As the JDK's own System.out and System.err. */
    private static final int OUTPUT_BUFFER = 8192;

    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.setProperty("qilin.pid", Long.toString(ProcessHandle.current().pid()));
        System.setProperty("qilin.role", "worker");
        WorkerConfig config = WorkerConfig.fromEnv(System.getenv());
        useRealOutput(config);
        LogBackend logs = LogBackend.current();
        logs.applyLevel(config.get(WorkerEnv.LOG_LEVEL));
        logs.logTo(config.get(WorkerEnv.ERROR_LOGFILE));
        logs.accessLogTo(config.get(WorkerEnv.ACCESS_LOGFILE));
        String noSyslog = null;
        try {
            logs.syslogTo(config.get(WorkerEnv.SYSLOG_ADDR), config.get(WorkerEnv.SYSLOG_FACILITY),
                    config.get(WorkerEnv.SYSLOG_PREFIX), Boolean.parseBoolean(config.get(WorkerEnv.SYSLOG_ACCESS)));
        } catch (IllegalArgumentException e) {
            noSyslog = e.getMessage();   // the master reached it a moment ago: log here, and serve
        }
        Logger log = LoggerFactory.getLogger(WorkerMain.class);
        if (noSyslog != null) {
            log.warn("This worker logs without syslog: {}", noSyslog);
        }
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
            code = booted ? ExitCodes.CRASHED : ExitCodes.WORKER_BOOT_ERROR;
        }
        log.info("Worker exiting (pid: {})", pid);
        System.exit(code);
    }

    /**
     * The master reads this JVM's fds 1 and 2 until the worker is ready, to report what a JVM that
     * dies before Qilin's code runs printed ("Unrecognized VM option ..."). From here on, Java's own
     * output (the log on stderr, an access log on stdout) goes to the real stdout and stderr, which the
     * master passed as {@code STDOUT_FD} and {@code STDERR_FD}.
     */
    private static void useRealOutput(WorkerConfig config) {
        int out = config.getInt(WorkerEnv.STDOUT_FD);
        int err = config.getInt(WorkerEnv.STDERR_FD);
        if (out < 0 || err < 0) {
            return;
        }
        try {
            System.setOut(printStream(out));
            System.setErr(printStream(err));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("qilin: cannot use the output the master passed: " + e);
        }
    }

    private static PrintStream printStream(int fd) throws ReflectiveOperationException {
        return new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptors.newFd(fd)), OUTPUT_BUFFER), true);
    }
}
