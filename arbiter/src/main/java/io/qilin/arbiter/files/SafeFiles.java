package io.qilin.arbiter.files;

import io.qilin.arbiter.posix.LibC;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import jnr.ffi.LastError;
import jnr.ffi.Runtime;

/**
 * Opening files the way a root process must: never through a symbolic link (O_NOFOLLOW), creating
 * only what does not exist yet (O_EXCL), and changing owner and mode through the open descriptor
 * (fchown, fchmod), so nothing can be swapped in between a check and a change. NIO cannot fchown, so
 * these are libc calls; what NIO reads through {@code /proc/self/fd/N} is the open file itself.
 */
public final class SafeFiles {
    private static final LibC C = LibC.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(C);

    private SafeFiles() {
    }

    /** What {@code fstat} says of an open file. */
    public static final class Stat {
        public final int uid;
        public final int gid;
        public final int mode;
        public final int links;
        public final boolean regular;
        public final boolean directory;

        Stat(int uid, int gid, int mode, int links, boolean regular, boolean directory) {
            this.uid = uid;
            this.gid = gid;
            this.mode = mode;
            this.links = links;
            this.regular = regular;
            this.directory = directory;
        }
    }

    /**
     * Creates {@code path}, which must not exist (not even as a dangling link), with exactly {@code mode}
     * whatever the umask; returns its descriptor, open read-write and close-on-exec.
     */
    public static int createNew(Path path, int mode) throws IOException {
        int fd = C.open(path.toString(), LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC,
                mode);
        if (fd < 0) {
            throw failure("cannot create", path);
        }
        if (C.fchmod(fd, mode) != 0) {
            String why = error();
            C.close(fd);
            throw new IOException("cannot set the mode of " + path + ": " + why);
        }
        return fd;
    }

    /**
     * Opens an existing {@code path} without following a link in its last component; {@code flags} are
     * open(2)'s access flags (and O_DIRECTORY). Never blocks on a FIFO.
     */
    public static int openNoFollow(Path path, int flags) throws IOException {
        int fd = C.open(path.toString(), flags | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        if (fd < 0) {
            throw failure("cannot open", path);
        }
        return fd;
    }

    /** Opens a directory, not through a link, for {@link #chown} and {@link #stat}. */
    public static int openDirectory(Path path) throws IOException {
        return openNoFollow(path, LibC.O_DIRECTORY);
    }

    public static Stat stat(int fd) throws IOException {
        Map<String, Object> a = Files.readAttributes(procPath(fd), "unix:uid,gid,mode,nlink");
        int mode = (Integer) a.get("mode");
        int type = mode & 0170000;
        return new Stat((Integer) a.get("uid"), (Integer) a.get("gid"), mode & 07777, (Integer) a.get("nlink"),
                type == 0100000, type == 0040000);
    }

    /** fchown; {@code -1} keeps the uid or gid. */
    public static void chown(int fd, int uid, int gid, Path what) throws IOException {
        if (C.fchown(fd, uid, gid) != 0) {
            throw new IOException("cannot change the owner of " + what + ": " + error());
        }
    }

    public static void chmod(int fd, int mode, Path what) throws IOException {
        if (C.fchmod(fd, mode) != 0) {
            throw new IOException("cannot change the mode of " + what + ": " + error());
        }
    }

    /** The open file itself, for NIO: opening this path reopens the file, not whatever its name is now. */
    public static Path procPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    public static void close(int fd) {
        if (fd >= 0) {
            C.close(fd);
        }
    }

    /** This process's effective uid. */
    public static int euid() {
        return C.geteuid();
    }

    /** The last error as NIO would have thrown it (missing, denied, exists), one line: "cannot create P: why". */
    private static IOException failure(String doing, Path path) {
        int errno = LastError.getLastError(RUNTIME);
        String line = doing + " " + path + ": ";
        switch (errno) {
            case LibC.ENOENT:
                return new NoSuchFileException(null, null, line + "no such file or directory");
            case LibC.EACCES:
                return new AccessDeniedException(null, null, line + "permission denied");
            case LibC.EEXIST:
                return new FileAlreadyExistsException(null, null, line + "it exists already");
            case LibC.ELOOP:
                return new IOException(line + "it is a symbolic link");
            case LibC.ENOTDIR:   // O_DIRECTORY | O_NOFOLLOW on a link
                return new IOException(line + (Files.isSymbolicLink(path) ? "it is a symbolic link" : "it is not a directory"));
            default:
                return new IOException(line + C.strerror(errno));
        }
    }

    private static String error() {
        return C.strerror(LastError.getLastError(RUNTIME));
    }
}
