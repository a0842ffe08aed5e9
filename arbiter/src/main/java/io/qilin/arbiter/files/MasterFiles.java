package io.qilin.arbiter.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files one master keeps for its workers, in its private {@link RuntimeDir}: the scoreboard
 * {@code qilin-PID.scoreboard} (mode 0600) and the workers' run directory {@code qilin-PID.d} (mode
 * 0700: thread dumps, Vert.x's file cache). Both belong to the workers' user, set through the open
 * descriptor. Workers get the scoreboard as an inherited descriptor, never by name: they need not
 * reach the directory at all, and nothing can be swapped in under the name.
 */
public final class MasterFiles implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(MasterFiles.class);

    private final Path scoreboard;
    private final int scoreboardFd;
    private final Path runDir;

    private MasterFiles(Path scoreboard, int scoreboardFd, Path runDir) {
        this.scoreboard = scoreboard;
        this.scoreboardFd = scoreboardFd;
        this.runDir = runDir;
    }

    /**
     * Creates both for master {@code pid}, first removing what dead masters left.
     *
     * @param workers the workers' {@code [uid, gid]} under --user/--group, else null
     * @throws IOException with one line for the user
     */
    public static MasterFiles create(String workerTmpDir, long pid, int[] workers, Map<String, String> env)
            throws IOException {
        int uid = SafeFiles.euid();
        Path dir = RuntimeDir.ensure(RuntimeDir.forWorkers(workerTmpDir, uid, env));
        List<Path> stale = StaleFiles.removeFromPrivate(dir);
        stale.addAll(StaleFiles.removeLegacy(uid));
        if (!stale.isEmpty()) {
            log.info("Removed {} file(s) left by masters that are gone: {}", stale.size(), stale);
        }
        Path scoreboard = dir.resolve("qilin-" + pid + ".scoreboard");
        Path runDir = dir.resolve("qilin-" + pid + ".d");
        StaleFiles.deleteTree(scoreboard);   // a process that had our pid before us; the directory is ours
        StaleFiles.deleteTree(runDir);
        int fd = SafeFiles.createNew(scoreboard, 0600);
        try {
            Files.createDirectory(runDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            int dirFd = SafeFiles.openDirectory(runDir);
            try {
                SafeFiles.chmod(dirFd, 0700, runDir);
                if (workers != null) {
                    SafeFiles.chown(fd, workers[0], workers[1], scoreboard);
                    SafeFiles.chown(dirFd, workers[0], workers[1], runDir);
                }
            } finally {
                SafeFiles.close(dirFd);
            }
        } catch (IOException e) {
            SafeFiles.close(fd);
            Files.deleteIfExists(scoreboard);
            throw e;
        }
        return new MasterFiles(scoreboard, fd, runDir);
    }

    /** The scoreboard's name, for the log and for removal. */
    public Path scoreboard() {
        return scoreboard;
    }

    /** The open scoreboard: a worker gets it at a descriptor of its own; the master maps it through {@link #scoreboardOpen()}. */
    public int scoreboardFd() {
        return scoreboardFd;
    }

    /** A path that opens the very file created, whatever happens to its name. */
    public Path scoreboardOpen() {
        return SafeFiles.procPath(scoreboardFd);
    }

    /** The master's private directory, which holds both (and the AOT cache's directory). */
    public Path dir() {
        return scoreboard.getParent();
    }

    /** Where workers leave thread dumps and Vert.x keeps its file cache. */
    public Path runDir() {
        return runDir;
    }

    /** Removes the scoreboard and the run directory. */
    @Override
    public void close() {
        SafeFiles.close(scoreboardFd);
        for (Path p : new Path[] {scoreboard, runDir}) {
            try {
                StaleFiles.deleteTree(p);
            } catch (IOException e) {
                log.warn("Cannot remove {}: {}", p, e.getMessage());
            }
        }
    }
}
