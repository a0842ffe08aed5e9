package io.qilin.arbiter.pidfile;

import io.qilin.arbiter.files.SafeFiles;
import io.qilin.arbiter.posix.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * A pidfile as Gunicorn keeps one: refuses to start over a live pid, replaces a stale one, written
 * atomically, and removed on exit only if it still holds our pid. Written as a root process must: a
 * new file of a random name (O_EXCL, never through a link), mode 0644 set through its descriptor,
 * renamed over the pidfile (which replaces a link, never follows it); read without following a link.
 */
public final class Pidfile {
    /** A pid is at most 7 digits; anything longer is not a pidfile. */
    private static final int MAX_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final long pid;

    private Pidfile(Path path, long pid) {
        this.path = path;
        this.pid = pid;
    }

    public Path path() {
        return path;
    }

    /**
     * Writes {@code pid} to {@code path}.
     *
     * @throws IOException with one clear line: another live process owns the file, or it cannot be written
     */
    public static Pidfile create(Path path, long pid) throws IOException {
        long other = read(path);
        if (other > 0 && other != pid && Processes.alive(other)) {
            throw new IOException("Already running on PID " + other + " (or pid file '" + path + "' is stale)");
        }
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Path fresh = dir.resolve("." + path.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            int fd = SafeFiles.createNew(fresh, 0644);
            tmp = fresh;
            try {
                Files.write(SafeFiles.procPath(fd), (pid + "\n").getBytes(StandardCharsets.US_ASCII));
            } finally {
                SafeFiles.close(fd);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new IOException("cannot write pid file '" + path + "': "
                    + (e instanceof NoSuchFileException ? "no such directory" : "permission denied"));
        } catch (IOException e) {
            throw new IOException("cannot write pid file '" + path + "': " + e.getMessage());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
        return new Pidfile(path, pid);
    }

    /** Moves this pidfile to a new path (promotion after an upgrade); returns the new one. */
    public Pidfile renameTo(Path target) throws IOException {
        Pidfile moved = create(target, pid);
        unlink();
        return moved;
    }

    /** Removes the file if it still holds our pid. */
    public void unlink() {
        try {
            if (read(path) == pid) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // nothing useful to do on the way out
        }
    }

    /** The pid in a pidfile, or 0 when there is none or it is unreadable. */
    public static long read(Path path) {
        try {
            String s;
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                s = new String(in.readNBytes(MAX_BYTES), StandardCharsets.US_ASCII).trim();
            }
            return s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
