package io.qilin.arbiter;

import io.qilin.arbiter.posix.Spawner;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --aot-cache auto}: ahead-of-time class loading and linking for worker JVMs on JDK 24+
 * (JEP 483). One worker of the first generation records its classes (written when it exits); the
 * master then assembles the cache in the background, and every later worker maps it. The files are
 * keyed by the java launcher and the classpath (each jar's path, size and time), so a deploy that
 * changes a jar trains a new cache. Classes in directories cannot be cached: with a directory on the
 * classpath nothing happens.
 */
final class AotCache {
    private static final Logger log = LoggerFactory.getLogger(AotCache.class);
    /** The JVM's own AOT log lines would otherwise reach the workers' stderr. */
    private static final String QUIET = "-Xlog:aot*=off,cds*=off";

    private final Path dir;
    private final Spawner spawner = new Spawner();
    private long trainer;
    private long assembler;

    AotCache(Path dir) {
        this.dir = dir;
    }

    /** The JVM options for the next worker: map the cache, record for it, or nothing. */
    List<String> optionsFor(String java, String classpath) {
        if (WorkerLauncher.featureVersion(java) < 24) {
            return List.of();
        }
        String key = key(java, classpath);
        if (key == null) {
            return List.of();
        }
        Path cache = dir.resolve("qilin-" + key + ".aot");
        Path config = dir.resolve("qilin-" + key + ".aotconf");
        if (Files.exists(cache)) {
            return List.of("-XX:AOTCache=" + cache, QUIET);
        }
        if (alive(trainer)) {
            return List.of(); // its JVM creates the configuration file at start and fills it as it exits
        }
        if (size(config) > 0) {
            assemble(java, classpath, config, cache);
            return List.of();
        }
        trainer = -1; // set to the pid by recordedBy
        return List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config, QUIET);
    }

    /** The worker just spawned with record options. */
    void recordedBy(long pid, List<String> options) {
        if (options.contains("-XX:AOTMode=record")) {
            trainer = pid;
            log.info("Worker (pid:{}) records classes for the AOT cache; later workers will boot from it", pid);
        }
    }

    private void assemble(String java, String classpath, Path config, Path cache) {
        if (alive(assembler)) {
            return;
        }
        Path tmp = cache.resolveSibling(cache.getFileName() + ".tmp");
        // written aside and moved into place, so no worker maps a half-written cache
        // the workers' module options too: with others, the JVM would not use the cache's module graph
        String cmd = "\"$0\" " + String.join(" ", WorkerLauncher.moduleOptions(java))
                + " -XX:AOTMode=create -XX:AOTConfiguration=\"$1\" -XX:AOTCache=\"$2\" -cp \"$3\" "
                + QUIET + " && mv \"$2\" \"$4\" || rm -f \"$1\" \"$2\""; // a bad configuration is recorded anew
        try {
            assembler = spawner.spawnDetached(List.of("sh", "-c", cmd, java, config.toString(),
                    tmp.toString(), classpath, cache.toString()), Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
            log.info("Assembling the AOT cache {} (pid:{})", cache, assembler);
        } catch (IOException e) {
            log.warn("Cannot assemble the AOT cache: {}", e.getMessage());
        }
    }

    /** A digest of the launcher and every jar's path, size and time; null when a directory is on the classpath. */
    private static String key(String java, String classpath) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Path.of(java).toRealPath().toString().getBytes(StandardCharsets.UTF_8));
            for (String entry : expand(classpath)) {
                Path p = Path.of(entry);
                if (Files.isDirectory(p)) {
                    return null;
                }
                md.update((entry + Files.size(p) + Files.getLastModifiedTime(p)).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
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

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean alive(long pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
