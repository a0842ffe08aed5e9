package io.qilin.arbiter.launch;

import io.qilin.worker.protocol.WorkerEnv;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.listen.Listeners;
import io.qilin.arbiter.files.LogFileGuard;
import io.qilin.arbiter.files.MasterFiles;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Accounts;
import io.qilin.arbiter.posix.LibC;
import io.qilin.arbiter.posix.Spawner;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.WorkerConfig;
import io.qilin.worker.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a worker JVM's command line and environment from the settings, and spawns it with the
 * listeners at fds 3.. and the parent-watch pipe after them.
 */
public final class WorkerLauncher {
    /** The worker's fd of the first descriptor handed to it: the i-th of the spawn's list is {@code FIRST_FD + i}. */
    private static final int FIRST_FD = 3;

    private final Spawner spawner = new Spawner();
    private final long masterPid;
    private final int parentWatchFd;
    private final MasterFiles files;
    private final AotCache aot;
    private final LogFileGuard logs = new LogFileGuard();

    /** {@code files}: null for a launcher that only runs {@link #spawnCheck}. */
    public WorkerLauncher(long masterPid, int parentWatchFd, MasterFiles files) {
        this.masterPid = masterPid;
        this.parentWatchFd = parentWatchFd;
        this.files = files;
        this.aot = files == null ? null : new AotCache(files.dir(), masterPid);
    }

    /**
     * Starts a worker; its stdout and stderr go to {@code captureFd} until its own code points them
     * back at the real ones (see {@link io.qilin.arbiter.BootOutput}).
     */
    public long spawn(Settings s, List<BoundListener> shared, int generation, int slot, long maxRequests, int captureFd)
            throws IOException {
        if (!s.get(Settings.REUSE_PORT)) {
            return spawnWith(s, shared, generation, slot, maxRequests, captureFd);
        }
        List<BoundListener> own = Listeners.bindReusePort(s.bindAddresses(), s.get(Settings.BACKLOG));
        try {
            return spawnWith(s, own, generation, slot, maxRequests, captureFd);
        } finally {
            own.forEach(l -> l.close(false)); // the worker holds them now
        }
    }

    private long spawnWith(Settings s, List<BoundListener> listeners, int generation, int slot, long maxRequests,
            int captureFd) throws IOException {
        List<ListenerSpec> specs = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            specs.add(listeners.get(i).specForWorker(i));
            fds.add(listeners.get(i).fd());
        }
        fds.add(parentWatchFd);
        fds.add(files.scoreboardFd());   // by descriptor: the worker need not reach the master's private directory
        WorkerConfig config = WorkerConfig.builder()
                .set(WorkerEnv.APP, s.app())
                .set(WorkerEnv.WORKER_CLASS, s.get(Settings.WORKER_CLASS))
                .set(WorkerEnv.TIMEOUT, s.get(Settings.TIMEOUT))
                .set(WorkerEnv.GRACEFUL_TIMEOUT, s.get(Settings.GRACEFUL_TIMEOUT))
                .set(WorkerEnv.MAX_REQUESTS, maxRequests)
                .set(WorkerEnv.BOOT_TIMEOUT, s.get(Settings.BOOT_TIMEOUT))
                .set(WorkerEnv.REQUEST_TIMEOUT, s.get(Settings.REQUEST_TIMEOUT) == null ? s.get(Settings.TIMEOUT)
                        : s.get(Settings.REQUEST_TIMEOUT))
                .set(WorkerEnv.WARMUP_REQUESTS, s.get(Settings.WARMUP_REQUESTS))
                .set(WorkerEnv.WARMUP_PATHS, String.join(" ", s.get(Settings.WARMUP_PATH)))
                .set(WorkerEnv.WARMUP_HOOK, s.get(Settings.WARMUP_HOOK))
                .set(WorkerEnv.THREADS, s.get(Settings.THREADS))
                .set(WorkerEnv.WORKER_CONNECTIONS, s.get(Settings.WORKER_CONNECTIONS))
                .set(WorkerEnv.KEEP_ALIVE, s.get(Settings.KEEPALIVE))
                .set(WorkerEnv.LIMIT_REQUEST_LINE, s.get(Settings.LIMIT_REQUEST_LINE))
                .set(WorkerEnv.LIMIT_REQUEST_FIELDS, s.get(Settings.LIMIT_REQUEST_FIELDS))
                .set(WorkerEnv.LIMIT_REQUEST_FIELD_SIZE, s.get(Settings.LIMIT_REQUEST_FIELD_SIZE))
                .set(WorkerEnv.LIMIT_REQUEST_BODY, s.get(Settings.LIMIT_REQUEST_BODY))
                .set(WorkerEnv.HEADER_TIMEOUT, s.get(Settings.HEADER_TIMEOUT))
                .set(WorkerEnv.BODY_TIMEOUT, s.get(Settings.BODY_TIMEOUT))
                .set(WorkerEnv.WRITE_TIMEOUT, s.get(Settings.WRITE_TIMEOUT))
                .set(WorkerEnv.HTTP_PROTOCOLS, s.get(Settings.HTTP_PROTOCOLS).replaceAll("\\s", ""))
                .set(WorkerEnv.HTTP2_MAX_CONCURRENT_STREAMS, s.get(Settings.HTTP2_MAX_CONCURRENT_STREAMS))
                .set(WorkerEnv.HTTP2_INITIAL_WINDOW_SIZE, s.get(Settings.HTTP2_INITIAL_WINDOW_SIZE))
                .set(WorkerEnv.HTTP2_MAX_FRAME_SIZE, s.get(Settings.HTTP2_MAX_FRAME_SIZE))
                .set(WorkerEnv.HTTP2_MAX_HEADER_LIST_SIZE, s.get(Settings.HTTP2_MAX_HEADER_LIST_SIZE))
                .set(WorkerEnv.LOG_LEVEL, s.get(Settings.LOGLEVEL))
                .set(WorkerEnv.ERROR_LOGFILE, logFile(s.get(Settings.ERROR_LOGFILE)))
                .set(WorkerEnv.ACCESS_LOGFILE, s.get(Settings.ACCESS_LOGFILE) == null ? null : logFile(s.get(Settings.ACCESS_LOGFILE)))
                .set(WorkerEnv.ACCESS_LOG_FORMAT, s.get(Settings.ACCESS_LOG_FORMAT))
                .set(WorkerEnv.SYSLOG_ADDR, s.get(Settings.SYSLOG) ? s.get(Settings.SYSLOG_ADDR) : null)
                .set(WorkerEnv.SYSLOG_FACILITY, s.get(Settings.SYSLOG_FACILITY))
                .set(WorkerEnv.SYSLOG_PREFIX, s.syslogPrefix())
                .set(WorkerEnv.SYSLOG_ACCESS, s.get(Settings.SYSLOG) && !s.get(Settings.DISABLE_REDIRECT_ACCESS_TO_SYSLOG))
                .set(WorkerEnv.CERTFILE, absolute(s.get(Settings.CERTFILE)))
                .set(WorkerEnv.KEYFILE, absolute(s.get(Settings.KEYFILE)))
                .set(WorkerEnv.CA_CERTS, absolute(s.get(Settings.CA_CERTS)))
                .set(WorkerEnv.CERT_REQS, s.get(Settings.CERT_REQS))
                .set(WorkerEnv.CIPHERS, s.get(Settings.CIPHERS))
                .set(WorkerEnv.TLS_MIN_VERSION, s.get(Settings.TLS_MIN_VERSION))
                .set(WorkerEnv.FORWARDED_ALLOW_IPS, s.get(Settings.FORWARDED_ALLOW_IPS))
                .set(WorkerEnv.SECURE_SCHEME_HEADERS, s.get(Settings.SECURE_SCHEME_HEADERS).isBlank() ? "none"
                        : s.get(Settings.SECURE_SCHEME_HEADERS))
                .set(WorkerEnv.PROXY_PROTOCOL, s.get(Settings.PROXY_PROTOCOL))
                .set(WorkerEnv.PROXY_ALLOW_IPS, s.get(Settings.PROXY_ALLOW_IPS))
                .set(WorkerEnv.HOOKS, s.get(Settings.HOOKS))
                .set(WorkerEnv.SERVLET_CONTEXT_PATH, s.get(Settings.SERVLET_CONTEXT_PATH))
                .set(WorkerEnv.STATSD_HOST, s.get(Settings.STATSD_HOST))
                .set(WorkerEnv.STATSD_PREFIX, s.get(Settings.STATSD_PREFIX))
                .set(WorkerEnv.MASTER_PID, masterPid)
                .set(WorkerEnv.GENERATION, generation)
                .set(WorkerEnv.SCOREBOARD, "/proc/self/fd/" + (FIRST_FD + fds.indexOf(files.scoreboardFd())))
                .set(WorkerEnv.RUN_DIR, files.runDir())
                .set(WorkerEnv.SLOT, slot)
                .set(WorkerEnv.PARENT_FD, FIRST_FD + fds.indexOf(parentWatchFd))
                .set(WorkerEnv.STDOUT_FD, FIRST_FD + fds.size())   // Spawner.spawnCaptured puts them after the others
                .set(WorkerEnv.STDERR_FD, FIRST_FD + fds.size() + 1)
                .listeners(specs)
                .build();
        prepareFilesFor(s);
        applyUmask(s);
        List<String> argv = argv(s);
        String java = javaOf(s);
        // Vert.x's file cache (a directory per JVM, left behind by every kill) lives and dies with the run directory
        String vertxCache = "-Dvertx.cacheDirBase=" + files.runDir().resolve("vertx-cache");
        if (s.get(Settings.AOT_CACHE).equals("auto")) {
            argv.addAll(argv.indexOf(java) + 1, aot.optionsFor(java, argv, classpath(s), identity(s), new AotCache.TrainingSpec() {
                @Override
                public Map<String, String> env() {
                    return WorkerLauncher.env(trainingConfig(s), s, 0);
                }

                @Override
                public String cwd() {
                    return s.get(Settings.CHDIR);
                }

                @Override
                public List<String> extraOptions() {
                    return List.of(vertxCache);
                }
            }));
        }
        argv.add(argv.indexOf(java) + 1, vertxCache);
        String output = s.get(Settings.CAPTURE_OUTPUT) ? logFile(s.get(Settings.ERROR_LOGFILE)) : null;
        return spawner.spawnCaptured(argv, env(config, s, listeners.size()), fds, s.get(Settings.CHDIR), output,
                captureFd);
    }

    /**
     * A training run for the AOT cache: a worker that loads the application, warms up as workers do and
     * exits, logging to its stdout and stderr (which the master reads), without hooks, listeners or scoreboard.
     */
    private static WorkerConfig trainingConfig(Settings s) {
        return WorkerConfig.builder()
                .set(WorkerEnv.APP, s.app())
                .set(WorkerEnv.WORKER_CLASS, s.get(Settings.WORKER_CLASS))
                .set(WorkerEnv.TRAIN, "true")
                .set(WorkerEnv.BOOT_TIMEOUT, s.get(Settings.BOOT_TIMEOUT))
                .set(WorkerEnv.WARMUP_REQUESTS, s.get(Settings.WARMUP_REQUESTS))
                .set(WorkerEnv.WARMUP_PATHS, String.join(" ", s.get(Settings.WARMUP_PATH)))
                .set(WorkerEnv.WARMUP_HOOK, s.get(Settings.WARMUP_HOOK))
                .set(WorkerEnv.THREADS, s.get(Settings.THREADS))
                .set(WorkerEnv.WORKER_CONNECTIONS, s.get(Settings.WORKER_CONNECTIONS))
                .set(WorkerEnv.KEEP_ALIVE, s.get(Settings.KEEPALIVE))
                .set(WorkerEnv.TIMEOUT, s.get(Settings.TIMEOUT))
                .set(WorkerEnv.SERVLET_CONTEXT_PATH, s.get(Settings.SERVLET_CONTEXT_PATH))
                .set(WorkerEnv.LOG_LEVEL, s.get(Settings.LOGLEVEL))
                .set(WorkerEnv.ERROR_LOGFILE, "-")
                .build();
    }

    /** A worker became ready: a training run for the AOT cache may start now. */
    public void workerReady() {
        if (aot != null) {
            aot.workerReady();
        }
    }

    /** True when {@code exit} was the AOT cache's training run, which this launcher has dealt with. */
    public boolean reaped(io.qilin.arbiter.posix.Processes.Exit exit) {
        return aot != null && aot.reaped(exit);
    }

    /** With --user, the worker must still write the log files the master created (the scoreboard is its already). */
    private void prepareFilesFor(Settings s) {
        int[] id = identity(s);
        if (id == null) {
            return;
        }
        for (String f : new String[] {s.get(Settings.ERROR_LOGFILE), s.get(Settings.ACCESS_LOGFILE)}) {
            if (f != null && !f.equals("-")) {
                logs.handOver(Path.of(f).toAbsolutePath(), id[0], id[1]);
            }
        }
    }

    /** USR1: true when the master may reopen its log files (none was swapped for a link by the workers' user). */
    public static boolean logsReopenable(Settings s, LogFileGuard logs) {
        int[] id = identity(s);
        boolean ok = true;
        for (String f : new String[] {s.get(Settings.ERROR_LOGFILE), s.get(Settings.ACCESS_LOGFILE)}) {
            if (id != null && f != null && !f.equals("-")) {
                ok &= logs.reopenable(Path.of(f).toAbsolutePath(), id[0]);
            }
        }
        return ok;
    }

    private static void applyUmask(Settings s) {
        String mask = s.get(Settings.UMASK);
        if (mask != null) {
            LibC.INSTANCE.umask(Integer.parseInt(mask, 8));
        }
    }

    /** The workers' {@code [uid, gid]} under --user/--group; null when they keep the master's. */
    public static int[] identity(Settings s) {
        String user = s.get(Settings.USER);
        String group = s.get(Settings.GROUP);
        if (user == null && group == null) {
            return null;
        }
        int[] u = user == null ? new int[] {(int) new com.sun.security.auth.module.UnixSystem().getUid(), -1}
                : Accounts.user(user);
        int gid = group != null ? Accounts.group(group) : u[1];
        return new int[] {u[0], gid};
    }

    /** A worker that loads the application and exits 0 (or 4) without serving: {@code --check-config}. */
    public long spawnCheck(Settings s) throws IOException {
        WorkerConfig config = WorkerConfig.builder()
                .set(WorkerEnv.APP, s.app())
                .set(WorkerEnv.WORKER_CLASS, s.get(Settings.WORKER_CLASS))
                .set(WorkerEnv.LOG_LEVEL, s.get(Settings.LOGLEVEL))
                .set(WorkerEnv.CHECK_CONFIG, "true")
                .build();
        return spawner.spawn(argv(s), env(config, s, 0), List.of());
    }

    public List<String> argv(Settings s) {
        String java = javaOf(s);
        List<String> argv = new ArrayList<>();
        int[] id = identity(s);
        if (id != null) {
            // a JVM cannot change its own user; util-linux's setpriv does it before exec'ing java
            argv.addAll(List.of("setpriv", "--reuid=" + id[0], "--regid=" + id[1],
                    s.get(Settings.INITGROUPS) && s.get(Settings.USER) != null ? "--init-groups" : "--clear-groups", "--"));
        }
        argv.add(java);
        argv.addAll(defaultJvmOptions(s.get(Settings.WORKERS_COUNT), Runtime.getRuntime().availableProcessors()));
        argv.addAll(s.workerJvmOptions()); // after the defaults: the last of two options wins
        argv.addAll(moduleOptions(java));
        String name = s.get(Settings.PROC_NAME);
        if (name != null) {
            argv.add("-Dqilin.name=" + name);
        }
        if (s.get(Settings.LOG_CONFIG) != null) {
            argv.add("-Dlogback.configurationFile=" + Path.of(s.get(Settings.LOG_CONFIG)).toAbsolutePath());
        }
        for (String prop : s.get(Settings.LOG_CONFIG) != null ? new String[] {"qilin.home"}
                : new String[] {"logback.configurationFile", "qilin.home"}) {
            String v = System.getProperty(prop);
            if (v != null) {
                argv.add("-D" + prop + "=" + v);
            }
        }
        argv.add("-cp");
        argv.add(classpath(s));
        argv.add(WorkerMain.class.getName());
        return argv;
    }

    /** Adopting socket fds needs sun.nio.ch; Netty's epoll loads native code (JDK 22+ warns otherwise). */
    public static List<String> moduleOptions(String java) {
        return featureVersion(java) >= 22
                ? List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED")
                : List.of("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED");
    }

    /**
     * What every worker JVM gets unless {@code --worker-jvm-opts} says otherwise. A worker that runs out
     * of memory exits (HotSpot's code 3, {@link io.qilin.worker.ExitCodes#OUT_OF_MEMORY}) and is replaced, instead of serving on with a broken heap. With more
     * than one worker, each JVM sizes its GC, JIT and I/O threads for its share of the CPUs (the
     * container's, or the host's) instead of for all of them, N times over; with a share of one CPU
     * the JVM picks the serial collector, as it would in a one-CPU container. From four workers on,
     * each one's heap is capped at its share of three quarters of the memory, where the JVM's own
     * default of a quarter each would overcommit.
     */
    static List<String> defaultJvmOptions(int workers, int cpus) {
        List<String> options = new ArrayList<>();
        options.add("-XX:+ExitOnOutOfMemoryError");
        if (workers > 1) {
            options.add("-XX:ActiveProcessorCount=" + Math.max(1, cpus / workers));
        }
        if (workers >= 4) {
            options.add("-XX:MaxRAMPercentage=" + String.format(java.util.Locale.ROOT, "%.1f", 75.0 / workers));
        }
        return options;
    }

    /** Qilin's own jars and the examples, then the application's {@code --classpath}. */
    public static String classpath(Settings s) {
        List<String> entries = new ArrayList<>();
        String home = System.getProperty("qilin.home");
        if (home != null) {
            entries.add(Path.of(home, "lib") + File.separator + "*");
            entries.add(Path.of(home, "examples") + File.separator + "*");
        } else {
            entries.add(System.getProperty("java.class.path"));
        }
        entries.addAll(s.classpathEntries());
        return String.join(File.pathSeparator, entries);
    }

    public static String javaOf(Settings s) {
        return s.get(Settings.JAVA_LAUNCHER) != null ? s.get(Settings.JAVA_LAUNCHER) : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Map<String, String> env(WorkerConfig config, Settings s, int listenerCount) {
        Map<String, String> env = new TreeMap<>(System.getenv());
        env.putAll(s.workerEnv());
        env.keySet().removeIf(k -> k.startsWith("QILIN_") || k.startsWith("LISTEN_") || k.startsWith("WATCHDOG_")
                || k.equals("NOTIFY_SOCKET"));
        env.putAll(config.toEnv());
        env.put("LISTEN_FDS", Integer.toString(listenerCount));
        return env;
    }

    private static String absolute(String f) {
        return f == null ? null : Path.of(f).toAbsolutePath().toString();
    }

    private static String logFile(String f) {
        return f.equals("-") ? f : Path.of(f).toAbsolutePath().toString();
    }

    /** The feature version of a java launcher, from its JDK's release file; the master's own if unknown. */
    public static int featureVersion(String java) {
        try {
            Path home = Path.of(java).toRealPath().getParent().getParent();
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring(line.indexOf('"') + 1);
                    v = v.startsWith("1.") ? v.substring(2) : v;
                    return Integer.parseInt(v.split("[.\"+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the master's own version
        }
        return Runtime.version().feature();
    }
}
