package io.qilin.arbiter.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The master's private directory, where its control socket, its scoreboard and its workers' run
 * directories live: {@code /run/qilin} for root, else {@code $XDG_RUNTIME_DIR/qilin}, else
 * {@code qilin-UID} in /dev/shm (or the temp dir when there is no /dev/shm). {@code --worker-tmp-dir
 * DIR} moves the scoreboard and the run directories to {@code DIR/qilin-UID}. Each is mode 0711
 * (others may pass through to a file they were handed, never list or write) and is used only when it
 * is a real directory, not a link, owned by the master's uid and writable by it alone.
 */
public final class RuntimeDir {
    /** rwx--x--x: a worker under --user reaches its own run directory inside, nothing else. */
    static final int MODE = 0711;

    private RuntimeDir() {
    }

    /** Where {@code qilin ctl} and a master of this uid look for control sockets by default. */
    public static Path standard(int uid, Map<String, String> env) {
        if (uid == 0) {
            return Path.of("/run/qilin");
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "qilin");
        }
        return tmpBase().resolve("qilin-" + uid);
    }

    /** Where the scoreboard and the workers' run directories go: {@code --worker-tmp-dir}, else {@link #standard}. */
    public static Path forWorkers(String workerTmpDir, int uid, Map<String, String> env) {
        return workerTmpDir == null ? standard(uid, env) : Path.of(workerTmpDir).toAbsolutePath().resolve("qilin-" + uid);
    }

    /** /dev/shm when it is a directory, else java.io.tmpdir. */
    static Path tmpBase() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }

    /**
     * Creates {@code dir} (mode 0711) unless it exists, then checks it is safe to keep files in.
     *
     * @throws IOException with one line saying what is wrong with it
     */
    public static Path ensure(Path dir) throws IOException {
        int uid = SafeFiles.euid();
        try {
            // mkdir(2): never follows a link, fails if anything is there; 0700 until checked, whatever the umask
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below, whoever made it
        } catch (IOException e) {
            throw new IOException("cannot create the runtime directory " + dir + ": " + e.getMessage());
        }
        int fd;
        try {
            fd = SafeFiles.openDirectory(dir);
        } catch (IOException e) {
            throw new IOException("the runtime directory " + dir + " is not safe: " + e.getMessage());
        }
        try {
            SafeFiles.Stat st = SafeFiles.stat(fd);
            if (!st.directory) {
                throw new IOException("the runtime directory " + dir + " is not safe: it is not a directory");
            }
            if (st.uid != uid) {
                throw new IOException("the runtime directory " + dir + " is not safe: it belongs to uid " + st.uid
                        + ", not to uid " + uid + " (remove it, or give --worker-tmp-dir / --control-socket)");
            }
            if (st.mode != MODE) {
                SafeFiles.chmod(fd, MODE, dir);   // ours: fix what an old umask or an earlier version left
            }
            return dir;
        } finally {
            SafeFiles.close(fd);
        }
    }
}
