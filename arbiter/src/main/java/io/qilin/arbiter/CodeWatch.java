package io.qilin.arbiter;

import static io.qilin.arbiter.settings.Settings.RELOAD;
import static io.qilin.arbiter.settings.Settings.RELOAD_EXTRA_FILES;

import io.qilin.arbiter.settings.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --reload}, for development: about once a second the master compares the size and modification
 * time of everything on {@code --classpath} (jars, and every file under its folders) and of each
 * {@code --reload-extra-file} with what the serving generation started from. A change that has held
 * still for one check (a build has finished writing) asks for a reload, the same as HUP: fresh worker
 * JVMs, readiness-gated. Gunicorn's workers watch their own modules and exit; the master watching is
 * what a JVM allows, since a worker cannot swap its classes.
 */
final class CodeWatch {
    private static final Logger log = LoggerFactory.getLogger(CodeWatch.class);
    static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final CodeWatch OFF = new CodeWatch(List.of(), 0);

    /** A file's size and modification time: what a rebuild changes. */
    private record Stamp(long size, long modifiedNanos) {
    }

    private final List<Path> roots;
    private Map<Path, Stamp> serving;
    /** A snapshot that differed from {@link #serving} at the last check; reloaded on once it holds still. */
    private Map<Path, Stamp> pending;
    private long checkedAt;

    private CodeWatch(List<Path> roots, long nowNanos) {
        this.roots = roots;
        this.serving = roots.isEmpty() ? Map.of() : scan(roots);
        this.checkedAt = nowNanos;
    }

    /** What {@code settings} ask to watch; a watch that never fires when {@code --reload} is off. */
    static CodeWatch of(Settings settings, long nowNanos) {
        if (!settings.get(RELOAD)) {
            return OFF;
        }
        List<Path> roots = new ArrayList<>();
        for (String entry : settings.classpathEntries()) {
            roots.add(Path.of(entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry).toAbsolutePath());
        }
        for (String file : settings.get(RELOAD_EXTRA_FILES)) {
            roots.add(Path.of(file).toAbsolutePath());
        }
        if (roots.isEmpty()) {
            log.warn("--reload has nothing to watch: no --classpath and no --reload-extra-file");
            return OFF;
        }
        CodeWatch watch = new CodeWatch(roots, nowNanos);
        log.info("--reload: watching {} files under {}", watch.serving.size(), roots);
        return watch;
    }

    /**
     * Checks, at most once per {@link #CHECK_NANOS}; returns the files that changed (and held still since
     * the last check) for a log line, or null when there is nothing to reload for.
     */
    String poll(long nowNanos) {
        if (roots.isEmpty() || nowNanos - checkedAt < CHECK_NANOS) {
            return null;
        }
        checkedAt = nowNanos;
        Map<Path, Stamp> now = scan(roots);
        if (now.equals(serving)) {
            pending = null;
            return null;
        }
        if (!now.equals(pending)) {
            pending = now;   // still being written, perhaps: wait one more check
            return null;
        }
        String changed = describe(serving, now);
        serving = now;
        pending = null;
        return changed;
    }

    /** The paths added, removed or changed between two snapshots, the first few of them. */
    private static String describe(Map<Path, Stamp> before, Map<Path, Stamp> after) {
        TreeSet<String> changed = new TreeSet<>();
        for (Path p : after.keySet()) {
            if (!Objects.equals(before.get(p), after.get(p))) {
                changed.add(p.toString());
            }
        }
        for (Path p : before.keySet()) {
            if (!after.containsKey(p)) {
                changed.add(p + " (removed)");
            }
        }
        List<String> shown = new ArrayList<>(changed).subList(0, Math.min(3, changed.size()));
        return String.join(", ", shown) + (changed.size() > shown.size() ? " and " + (changed.size() - shown.size()) + " more" : "");
    }

    /** Every regular file under the roots (links to folders are not followed), with its stamp. */
    private static Map<Path, Stamp> scan(List<Path> roots) {
        Map<Path, Stamp> out = new HashMap<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.isDirectory(root) ? Files.walk(root) : Stream.of(root)) {
                files.forEach(p -> stamp(p, out));
            } catch (IOException | UncheckedIOException e) {
                // a folder being rebuilt: what could be read is compared, and the next check sees the rest
            }
        }
        return out;
    }

    private static void stamp(Path p, Map<Path, Stamp> out) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (a.isRegularFile()) {
                out.put(p, new Stamp(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
            }
        } catch (IOException e) {
            // gone between listing and reading: it counts as removed
        }
    }
}
