package io.qilin.arbiter;

import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.spawn.Spawner;
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
final class WorkerLauncher {
    private final Spawner spawner = new Spawner();
    private final long masterPid;
    private final int parentWatchFd;
    private final Path scoreboard;

    WorkerLauncher(long masterPid, int parentWatchFd, Path scoreboard) {
        this.masterPid = masterPid;
        this.parentWatchFd = parentWatchFd;
        this.scoreboard = scoreboard;
    }

    long spawn(Settings s, List<BoundListener> listeners, int generation, int slot, long maxRequests) throws IOException {
        List<ListenerSpec> specs = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            specs.add(listeners.get(i).specForWorker(i));
            fds.add(listeners.get(i).fd());
        }
        fds.add(parentWatchFd);
        WorkerConfig config = WorkerConfig.builder()
                .set("APP", s.app)
                .set("WORKER_CLASS", s.workerClass)
                .set("TIMEOUT", s.timeout)
                .set("GRACEFUL_TIMEOUT", s.gracefulTimeout)
                .set("MAX_REQUESTS", maxRequests)
                .set("THREADS", s.threads)
                .set("WORKER_CONNECTIONS", s.workerConnections)
                .set("KEEP_ALIVE", s.keepAlive)
                .set("LIMIT_REQUEST_LINE", s.limitRequestLine)
                .set("LIMIT_REQUEST_FIELDS", s.limitRequestFields)
                .set("LIMIT_REQUEST_FIELD_SIZE", s.limitRequestFieldSize)
                .set("LOG_LEVEL", s.logLevel)
                .set("ERROR_LOGFILE", s.errorLogfile.equals("-") ? "-" : Path.of(s.errorLogfile).toAbsolutePath())
                .set("MASTER_PID", masterPid)
                .set("GENERATION", generation)
                .set("SCOREBOARD", scoreboard)
                .set("SLOT", slot)
                .set("PARENT_FD", 3 + listeners.size())
                .listeners(specs)
                .build();
        return spawner.spawn(argv(s), env(config, listeners.size()), fds);
    }

    List<String> argv(Settings s) {
        String java = javaOf(s);
        List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.addAll(s.workerJvmOptions());
        argv.add("--add-opens");
        argv.add("java.base/sun.nio.ch=ALL-UNNAMED");
        if (featureVersion(java) >= 22) {
            argv.add("--enable-native-access=ALL-UNNAMED");
        }
        for (String prop : new String[] {"logback.configurationFile", "qilin.home"}) {
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

    /** Qilin's own jars and the examples, then the application's {@code --classpath}. */
    static String classpath(Settings s) {
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

    static String javaOf(Settings s) {
        return s.java != null ? s.java : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Map<String, String> env(WorkerConfig config, int listenerCount) {
        Map<String, String> env = new TreeMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("QILIN_") || k.startsWith("LISTEN_") || k.equals("NOTIFY_SOCKET"));
        env.putAll(config.toEnv());
        env.put("LISTEN_FDS", Integer.toString(listenerCount));
        return env;
    }

    /** The feature version of a java launcher, from its JDK's release file; the master's own if unknown. */
    static int featureVersion(String java) {
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
