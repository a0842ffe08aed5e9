package io.qilin.arbiter.posix;

import jnr.ffi.byref.IntByReference;

/** Reaping and signalling child processes. */
public final class Processes {
    private static final LibC C = LibC.INSTANCE;

    private Processes() {
    }

    /** How a child ended, decoded from waitpid's status. */
    public static final class Exit {
        private static final int SIGNAL_MASK = 0x7f;
        private static final int STOPPED = 0x7f;
        private static final int CODE_SHIFT = 8;
        private static final int CODE_MASK = 0xff;

        public final int pid;
        public final int status;

        Exit(int pid, int status) {
            this.pid = pid;
            this.status = status;
        }

        /** A child that exited with {@code code}. */
        public static Exit exited(long pid, int code) {
            return new Exit((int) pid, (code & CODE_MASK) << CODE_SHIFT);
        }

        /** A child killed by {@code signal}. */
        public static Exit killed(long pid, int signal) {
            return new Exit((int) pid, signal & SIGNAL_MASK);
        }

        public boolean signalled() {
            return (status & SIGNAL_MASK) != 0 && (status & SIGNAL_MASK) != STOPPED;
        }

        /** The terminating signal, when {@link #signalled()}. */
        public int signal() {
            return status & SIGNAL_MASK;
        }

        /** The exit code, when not {@link #signalled()}. */
        public int code() {
            return (status >> CODE_SHIFT) & CODE_MASK;
        }

        @Override
        public String toString() {
            return signalled() ? "killed by " + Signals.name(signal()) : "exit code " + code();
        }
    }

    /** Reaps one exited child without blocking; null when none has exited (or there are no children). */
    public static Exit reapOne() {
        IntByReference status = new IntByReference();
        int pid = C.waitpid(-1, status, LibC.WNOHANG);
        return pid > 0 ? new Exit(pid, status.intValue()) : null;
    }

    /** Waits for one child to exit. */
    public static Exit waitFor(long pid) {
        IntByReference status = new IntByReference();
        int rc;
        do {
            rc = C.waitpid((int) pid, status, 0);
        } while (rc == -1 && alive(pid));
        return new Exit((int) pid, status.intValue());
    }

    /** Points this process's stdout and stderr (fds 1 and 2) at {@code file}, appending: --capture-output. */
    public static void redirectOutput(String file) {
        int fd = C.open(file, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_NOFOLLOW, 0644);
        if (fd < 0) {
            throw new IllegalArgumentException("Invalid value for capture_output: cannot open " + file);
        }
        C.dup2(fd, 1);
        C.dup2(fd, 2);
        C.close(fd);
    }

    /** Sends a signal; false if the process no longer exists. */
    public static boolean kill(long pid, int signal) {
        return C.kill((int) pid, signal) == 0;
    }

    /** True if a process with this pid exists (and we may signal it). */
    public static boolean alive(long pid) {
        return pid > 0 && C.kill((int) pid, 0) == 0;
    }

    public static int parentPid() {
        return C.getppid();
    }

    /**
     * A pipe for the parent-death watch: [read, write]. The write end is close-on-exec so only this
     * process holds it; the read end is passed to each worker.
     */
    public static int[] parentWatchPipe() {
        int[] fds = new int[2];
        if (C.pipe(fds) != 0) {
            throw new IllegalStateException("pipe() failed");
        }
        C.fcntl(fds[1], LibC.F_SETFD, LibC.FD_CLOEXEC);
        return fds;
    }

    /** A pipe, [read, write], both ends close-on-exec: a child gets an end only through its file actions. */
    public static int[] pipe() {
        int[] fds = parentWatchPipe();
        C.fcntl(fds[0], LibC.F_SETFD, LibC.FD_CLOEXEC);
        return fds;
    }

    public static void close(int fd) {
        C.close(fd);
    }

    /** The address family of a socket fd: {@link LibC#AF_INET}, {@link LibC#AF_INET6} or {@link LibC#AF_UNIX}; -1 if not a socket. */
    public static int socketFamily(int fd) {
        IntByReference value = new IntByReference();
        IntByReference len = new IntByReference(4);
        return C.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_DOMAIN, value, len) == 0 ? value.intValue() : -1;
    }
}
