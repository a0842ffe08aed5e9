package io.qilin.arbiter.files;

import io.qilin.arbiter.posix.LibC;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log files a root master shares with its workers' user (--user/--group): the workers must write
 * them, so the master hands them over (fchown) before each spawn; the app user may then replace one
 * with a link to a file of root's. So a log file is handed over, or reopened by the master (USR1),
 * only when it is what the master created: a regular file, not a link, one name only, owned by the
 * master or already by the workers. Anything else is left alone, with one line in the log.
 */
public final class LogFileGuard {
    private static final Logger log = LoggerFactory.getLogger(LogFileGuard.class);

    private final int masterUid = SafeFiles.euid();
    private final Set<String> reported = new HashSet<>();

    /** Gives {@code file} to {@code uid}:{@code gid} through an open descriptor; false (and one line) when it is not safe to. */
    public boolean handOver(Path file, int uid, int gid) {
        int fd;
        try {
            fd = SafeFiles.openNoFollow(file, LibC.O_WRONLY);
        } catch (NoSuchFileException e) {
            return true;   // the worker creates it, as its own
        } catch (IOException e) {
            report(file, "not handing " + file + " to uid " + uid + ": " + e.getMessage());
            return false;
        }
        try {
            SafeFiles.Stat st = SafeFiles.stat(fd);
            String unsafe = unsafe(st, uid);
            if (unsafe != null) {
                report(file, "not handing " + file + " to uid " + uid + ": " + unsafe);
                return false;
            }
            if (st.uid != uid || (gid >= 0 && st.gid != gid)) {
                SafeFiles.chown(fd, uid, gid, file);
            }
            return true;
        } catch (IOException e) {
            report(file, "not handing " + file + " to uid " + uid + ": " + e.getMessage());
            return false;
        } finally {
            SafeFiles.close(fd);
        }
    }

    /**
     * True when the master may reopen {@code file} (USR1): it does not exist (created anew), or it is a
     * file the master or the workers' user {@code workerUid} owns, not a link, with one name.
     */
    public boolean reopenable(Path file, int workerUid) {
        String unsafe = unsafeToOpen(file, workerUid);
        if (unsafe != null) {
            report(file, "not reopening " + file + ": " + unsafe + "; the master keeps writing to the file it had");
        }
        return unsafe == null;
    }

    /** Why the master must not open {@code file} for writing, or null when it may (see {@link #reopenable}). */
    public String unsafeToOpen(Path file, int workerUid) {
        int fd;
        try {
            fd = SafeFiles.openNoFollow(file, LibC.O_WRONLY);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
        try {
            return unsafe(SafeFiles.stat(fd), workerUid);
        } catch (IOException e) {
            return e.getMessage();
        } finally {
            SafeFiles.close(fd);
        }
    }

    private String unsafe(SafeFiles.Stat st, int workerUid) {
        if (!st.regular) {
            return "it is not a regular file";
        }
        if (st.links != 1) {
            return "it has " + st.links + " hard links";
        }
        if (st.uid != masterUid && st.uid != workerUid) {
            return "it belongs to uid " + st.uid;
        }
        return null;
    }

    /** One line per file and reason, not one per spawn of a crash loop. */
    private void report(Path file, String line) {
        if (reported.add(line)) {
            log.error("{}", line.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + line.substring(1));
        }
    }
}
