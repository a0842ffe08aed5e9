package io.qilin.arbiter.launch;

import io.qilin.arbiter.BootOutput;
import io.qilin.arbiter.files.SafeFiles;
import io.qilin.arbiter.files.StaleFiles;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Spawner;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --aot-cache auto}: workers boot from a class cache the master has a training run build, once
 * per classpath, JVM options and JDK. On JDK 25+ it is an AOT cache (JEP 483, built in one step with
 * JEP 514's {@code -XX:AOTCacheOutput}); on JDK 17-24 nothing (see {@link #FIRST_JDK}).
 *
 * <p>When a worker is about to start and no cache fits it, the master starts one training run as soon
 * as a worker is ready: a worker JVM that loads the application, warms up as workers do (through the
 * kind's own HTTP stack), and exits; the JVM writes the cache as it exits. The master moves it into
 * place, and every worker started from then on (the first HUP's, a TTIN's) maps it. A cache already on
 * disk for the same key serves the very first workers.
 *
 * <p>The files live in {@code aot/} in the master's private directory, mode 0700 and the master's
 * (under {@code --user}, {@code aot-UID/}, the workers' user's: its JVMs write and map them). The
 * master never opens them: it creates the directory, renames and deletes, none of which follows a link.
 * The JVM's own AOT lines go to the training run's output, which the master reads (and logs when the
 * run fails), and are off in the workers: a cache that does not map is ignored by the JVM, which boots
 * without it ({@code -XX:AOTMode} stays {@code auto}).
 */
final class AotCache {
    private static final Logger log = LoggerFactory.getLogger(AotCache.class);
    /** A training run's output, named after the master that started it: removed once that master is gone. */
    private static final Pattern TRAINING_FILE = Pattern.compile("qilin-(\\d+)-[0-9a-f]+\\.training\\.aot.*");
    private static final Pattern CACHE_FILE = Pattern.compile("qilin-[0-9a-f]+\\.aot");
    /** How many caches the directory keeps (see {@link #removeOldCaches}). */
    private static final int KEPT = 3;
    /** JVM options that mean the user manages class archives: auto then keeps out of the way. */
    private static final List<String> USERS_OWN = List.of("-XX:AOT", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
            "-Xshare", "-XX:+AutoCreateSharedArchive");

    /** The JVM's own lines about the cache would otherwise reach the workers' stdout, and so the console. */
    private static final String QUIET = "-Xlog:aot*=off,cds*=off";
    /**
     * JEP 514's one-step {@code -XX:AOTCacheOutput}. Not JDK 17-24's dynamic AppCDS
     * ({@code -XX:ArchiveClassesAtExit}): JDK 17 dies of SIGBUS mapping a truncated archive, where
     * JDK 25 boots without it (see bench/README.md).
     */
    private static final int FIRST_JDK = 25;

    private final Path parent;
    private final long masterPid;
    private final Spawner spawner = new Spawner();
    private final Set<String> failed = new HashSet<>();
    private Path dir;
    private boolean disabled;
    private boolean toldUsersOwn;
    private Training pending;
    private Training running;

    /** One training run: what to spawn, and where its cache goes. */
    private static final class Training {
        final String key;
        final Path output;
        final Path cache;
        final List<String> argv;
        final Map<String, String> env;
        final String cwd;
        long pid;
        BootOutput printed;

        Training(String key, Path output, Path cache, List<String> argv, Map<String, String> env, String cwd) {
            this.key = key;
            this.output = output;
            this.cache = cache;
            this.argv = argv;
            this.env = env;
            this.cwd = cwd;
        }
    }

    /** {@code parent}: the master's private directory (see {@link io.qilin.arbiter.files.RuntimeDir}). */
    AotCache(Path parent, long masterPid) {
        this.parent = parent;
        this.masterPid = masterPid;
    }

    /** What {@link #optionsFor} needs to plan a training run, built only when one is due. */
    interface TrainingSpec {
        /** The environment of the training JVM. */
        Map<String, String> env();

        /** Its working directory, or null for the master's. */
        String cwd();

        /** An option to add after the java launcher, as workers get it (Vert.x's file cache). */
        List<String> extraOptions();
    }

    /**
     * The JVM options that map the cache for a worker with this command line ({@code argv}, without
     * them); none when there is none for it yet. Then, unless a training run for it is running or has
     * failed, one is planned from {@code spec}, to start once a worker is ready.
     *
     * @param workers the workers' {@code [uid, gid]} under --user/--group, else null
     */
    List<String> optionsFor(String java, List<String> argv, String classpath, int[] workers, TrainingSpec spec) {
        if (disabled || WorkerLauncher.featureVersion(java) < FIRST_JDK || usersOwn(argv)) {
            return List.of();
        }
        String key = key(java, argv, classpath);
        if (key == null || !ensureDir(workers)) {
            return List.of();
        }
        Path cache = dir.resolve("qilin-" + key + ".aot");
        if (Files.isRegularFile(cache, LinkOption.NOFOLLOW_LINKS)) {
            return List.of("-XX:AOTCache=" + cache, QUIET);
        }
        if (failed.contains(key) || (running != null && running.key.equals(key))
                || (pending != null && pending.key.equals(key))) {
            return List.of();
        }
        Path output = dir.resolve("qilin-" + masterPid + "-" + key + ".training.aot");
        List<String> trainer = new ArrayList<>(argv);
        List<String> options = new ArrayList<>(List.of("-XX:AOTCacheOutput=" + output, QUIET));
        options.addAll(spec.extraOptions());
        trainer.addAll(trainer.indexOf(java) + 1, options);
        pending = new Training(key, output, cache, trainer, spec.env(), spec.cwd());
        return List.of();
    }

    /** A worker is ready: the planned training run starts now, when it no longer slows the first boot. */
    void workerReady() {
        if (pending == null || running != null) {
            return;
        }
        Training t = pending;
        pending = null;
        BootOutput printed = null;
        try {
            deleteQuietly(t.output);   // what a training run this master's pid had before it may have left
            printed = BootOutput.open(new PrintStream(PrintStream.nullOutputStream()));
            t.pid = spawner.spawnDetachedTo(t.argv, t.env, t.cwd, printed.writeFd());
            printed.spawned(t.pid);
            t.printed = printed;
            running = t;
            log.info("AOT cache: a training run (pid:{}) builds {} for the workers started after it", t.pid, t.cache);
        } catch (IOException | RuntimeException e) {
            if (printed != null) {
                printed.discard();
            }
            failed.add(t.key);
            log.warn("AOT cache: cannot start a training run: {}; workers boot without a cache", e.getMessage());
        }
    }

    /** True when {@code exit} is the training run's: the master has moved its cache into place, or said why not. */
    boolean reaped(Processes.Exit exit) {
        if (running == null || exit.pid != running.pid) {
            return false;
        }
        Training t = running;
        running = null;
        String printed = t.printed.summary();
        try {
            if (exit.signalled() || exit.code() != 0 || !Files.isRegularFile(t.output, LinkOption.NOFOLLOW_LINKS)
                    || Files.size(t.output) == 0) {
                failed.add(t.key);
                log.warn("AOT cache: the training run (pid:{}) failed ({}){}; workers boot without a cache", t.pid, exit,
                        printed.isEmpty() ? "" : ": " + printed);
            } else {
                Files.move(t.output, t.cache, StandardCopyOption.ATOMIC_MOVE);   // rename(2): never follows a link
                log.info("AOT cache ready: {} ({} MB); workers started from now on boot from it", t.cache,
                        Files.size(t.cache) >> 20);
                removeOldCaches();
            }
        } catch (IOException e) {
            failed.add(t.key);
            log.warn("AOT cache: cannot install {}: {}", t.cache, e.getMessage());
        } finally {
            deleteQuietly(t.output);
            deleteQuietly(Path.of(t.output + ".config"));
        }
        return true;
    }

    private boolean usersOwn(List<String> argv) {
        for (String a : argv) {
            if (USERS_OWN.stream().anyMatch(a::startsWith)) {
                if (!toldUsersOwn) {
                    toldUsersOwn = true;
                    log.info("AOT cache: --worker-jvm-opts has {}; --aot-cache auto leaves class archives to it", a);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Creates the directory (0700, the workers' user's) unless it exists, checks it through an open
     * descriptor, and removes what training runs of masters that are gone left in it.
     */
    private boolean ensureDir(int[] workers) {
        if (dir != null) {
            return true;
        }
        Path d = parent.resolve(workers == null ? "aot" : "aot-" + workers[0]);
        int owner = workers == null ? SafeFiles.euid() : workers[0];
        int fd = -1;
        try {
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                fd = SafeFiles.openDirectory(d);
                if (workers != null) {
                    SafeFiles.chown(fd, workers[0], workers[1], d);
                }
            } catch (FileAlreadyExistsException e) {
                fd = SafeFiles.openDirectory(d);   // O_NOFOLLOW: a link there fails here
            }
            SafeFiles.Stat st = SafeFiles.stat(fd);
            if (!st.directory || st.uid != owner) {
                throw new IOException(d + " is not a directory of uid " + owner);
            }
            if (st.mode != 0700) {
                SafeFiles.chmod(fd, 0700, d);
            }
        } catch (IOException e) {
            disabled = true;
            log.warn("AOT cache: {}; workers boot without a cache", e.getMessage());
            return false;
        } finally {
            SafeFiles.close(fd);
        }
        dir = d;
        removeLeftovers();
        return true;
    }

    private void removeLeftovers() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "qilin-*")) {
            for (Path p : files) {
                Matcher m = TRAINING_FILE.matcher(p.getFileName().toString());
                if (m.matches() && !StaleFiles.alive(Long.parseLong(m.group(1)))) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("AOT cache: cannot list {}: {}", dir, e.toString());
        }
    }

    /**
     * Keeps the {@link #KEPT} newest caches: each deploy (new jars) or change of options makes one, and the
     * directory may be on a small tmpfs (/run). A worker that maps a removed one keeps it until it exits.
     */
    private void removeOldCaches() {
        List<Path> caches = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "qilin-*")) {
            for (Path p : files) {
                if (CACHE_FILE.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    caches.add(p);
                }
            }
            caches.sort(Comparator.comparing(AotCache::modified).reversed());
        } catch (IOException | RuntimeException e) {
            log.debug("AOT cache: cannot list {}: {}", dir, e.toString());
            return;
        }
        for (Path old : caches.subList(Math.min(KEPT, caches.size()), caches.size())) {
            log.info("AOT cache: removing {}, the oldest of {}", old, caches.size());
            deleteQuietly(old);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);   // unlink(2): a link is removed, never followed
        } catch (IOException e) {
            log.debug("Cannot remove {}: {}", p, e.toString());
        }
    }

    /**
     * A digest of the JDK (the launcher's real path and its release file), the worker's command line
     * and every jar of its classpath (path, size, time); null when a directory is on the classpath
     * (the JVM caches classes from jars only).
     */
    static String key(String java, List<String> argv, String classpath) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Path launcher = Path.of(java).toRealPath();
            md.update(launcher.toString().getBytes(StandardCharsets.UTF_8));
            Path release = launcher.getParent().getParent().resolve("release");
            if (Files.isRegularFile(release)) {
                md.update(Files.readAllBytes(release));
            }
            for (String a : argv) {
                md.update((a + '\0').getBytes(StandardCharsets.UTF_8));
            }
            for (String entry : expand(classpath)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    return null;
                }
                md.update((entry + Files.size(p) + Files.getLastModifiedTime(p)).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }

    /** The classpath with {@code dir/*} expanded as the java launcher does. */
    static List<String> expand(String classpath) throws IOException {
        List<String> out = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.endsWith("/*")) {
                try (var jars = Files.newDirectoryStream(Path.of(entry.substring(0, entry.length() - 2)), "*.jar")) {
                    List<String> sorted = new ArrayList<>();
                    jars.forEach(j -> sorted.add(j.toString()));
                    sorted.sort(null);
                    out.addAll(sorted);
                }
            } else if (!entry.isEmpty()) {
                out.add(entry);
            }
        }
        return out;
    }
}
