package io.qilin.arbiter.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What masters killed with {@code -9} (or by the OOM killer) left behind: their scoreboards, control
 * sockets and workers' run directories, named {@code qilin-PID.*} after a pid that is no longer alive.
 * A master removes them at start, from its own directories and from where earlier versions kept them.
 */
public final class StaleFiles {
    private static final Pattern OWN = Pattern.compile("qilin-(\\d+)\\.(scoreboard|d|ctl|ctl\\.2)");
    /** Where earlier versions left them: /dev/shm and the temp dir, shared with every user. */
    private static final Pattern LEGACY = Pattern.compile("qilin-(\\d+)\\.(scoreboard|ctl)");

    private StaleFiles() {
    }

    /** Removes every {@code qilin-PID.*} of a dead pid from {@code dir}, the master's private directory; what it removed. */
    public static List<Path> removeFromPrivate(Path dir) {
        return remove(dir, OWN, -1);
    }

    /** Removes the files of dead masters of this uid that earlier versions left in /dev/shm and the temp dir. */
    public static List<Path> removeLegacy(int uid) {
        List<Path> removed = new ArrayList<>();
        for (Path dir : new Path[] {Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()}) {
            removed.addAll(remove(dir, LEGACY, uid));
        }
        return removed;
    }

    /** True when a process with this pid exists, whoever owns it (kill(pid, 0) says no for another user's). */
    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).isPresent();
    }

    /** {@code owner} -1: whatever the owner (the directory is ours); else only files of that uid, never directories. */
    private static List<Path> remove(Path dir, Pattern names, int owner) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "qilin-*")) {
            for (Path p : entries) {
                Matcher m = names.matcher(p.getFileName().toString());
                if (!m.matches() || alive(Long.parseLong(m.group(1)))) {
                    continue;
                }
                if (owner >= 0 && (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        || (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != owner)) {
                    continue;
                }
                deleteTree(p);
                removed.add(p);
            }
        } catch (IOException | RuntimeException e) {
            // a missing or unreadable directory holds nothing of ours
        }
        return removed;
    }

    /** Deletes a file, or a directory and all in it; links are removed, never followed. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
