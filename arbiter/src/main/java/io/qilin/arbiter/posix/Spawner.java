package io.qilin.arbiter.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Starts a process with {@code posix_spawnp}: the given fds appear in the child at 3, 4, … in order,
 * every signal disposition is reset to default and the signal mask emptied (a master started under
 * {@code nohup} or in a background job would otherwise pass its ignored signals on), and every other
 * fd of the master is marked close-on-exec first, so nothing else leaks into the child.
 */
public final class Spawner {
    private static final LibC C = LibC.INSTANCE;
    private static final int NO_CAPTURE = -1;
    private final Runtime runtime = Runtime.getRuntime(C);

    /**
     * Spawns {@code argv} with environment {@code env}; {@code childFds.get(i)} becomes fd {@code 3 + i}.
     *
     * @return the child's pid
     */
    public int spawn(List<String> argv, Map<String, String> env, List<Integer> childFds) throws IOException {
        return spawn(argv, env, childFds, false, null, null, NO_CAPTURE);
    }

    /**
     * As {@link #spawn(List, Map, List)}, the child starting in directory {@code cwd} (null: the
     * master's), its stdout and stderr appended to {@code output} (null: the master's).
     */
    public int spawn(List<String> argv, Map<String, String> env, List<Integer> childFds, String cwd, String output)
            throws IOException {
        return spawn(argv, env, childFds, false, cwd, output, NO_CAPTURE);
    }

    /**
     * As {@link #spawn(List, Map, List, String, String)}, with the child's stdout and stderr on
     * {@code captureFd} (a pipe the master reads); what they would have been (the master's, or
     * {@code output}) follows {@code childFds}, at fds {@code 3 + childFds.size()} and the next.
     */
    public int spawnCaptured(List<String> argv, Map<String, String> env, List<Integer> childFds, String cwd,
            String output, int captureFd) throws IOException {
        List<Integer> fds = new ArrayList<>(childFds);
        fds.add(1);
        fds.add(2);
        return spawn(argv, env, fds, false, cwd, output, captureFd);
    }

    /**
     * Spawns a daemon: a new session, no controlling terminal, stdin, stdout and stderr on /dev/null.
     *
     * @return the child's pid
     */
    public int spawnDetached(List<String> argv, Map<String, String> env) throws IOException {
        return spawn(argv, env, List.of(), true, null, null, NO_CAPTURE);
    }

    /** As {@link #spawnDetached(List, Map)}, {@code childFds.get(i)} becoming fd {@code 3 + i}. */
    public int spawnDetached(List<String> argv, Map<String, String> env, List<Integer> childFds) throws IOException {
        return spawn(argv, env, childFds, true, null, null, NO_CAPTURE);
    }

    /**
     * Spawns a process in a session of its own (a Ctrl-C on the master's terminal does not reach it),
     * stdin on /dev/null, stdout and stderr on {@code outputFd} (a pipe the master reads), in {@code cwd}
     * (null: the master's).
     */
    public int spawnDetachedTo(List<String> argv, Map<String, String> env, String cwd, int outputFd) throws IOException {
        return spawn(argv, env, List.of(), true, cwd, null, outputFd);
    }

    private int spawn(List<String> argv, Map<String, String> env, List<Integer> childFds, boolean detached, String cwd,
            String output, int captureFd) throws IOException {
        int highest = markAllCloseOnExec();
        Pointer actions = Memory.allocateDirect(runtime, LibC.FILE_ACTIONS_SIZE);
        Pointer attr = Memory.allocateDirect(runtime, LibC.SPAWNATTR_SIZE);
        Pointer allSignals = Memory.allocateDirect(runtime, LibC.SIGSET_SIZE);
        Pointer noSignals = Memory.allocateDirect(runtime, LibC.SIGSET_SIZE);
        check(C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        check(C.posix_spawnattr_init(attr), "posix_spawnattr_init");
        try {
            // park every source above all fds first, so no dup2 onto 3.. clobbers a source still needed
            int park = highest + 1;
            for (int i = 0; i < childFds.size(); i++) {
                check(C.posix_spawn_file_actions_adddup2(actions, childFds.get(i), park + i), "adddup2");
            }
            for (int i = 0; i < childFds.size(); i++) {
                check(C.posix_spawn_file_actions_adddup2(actions, park + i, 3 + i), "adddup2");
                check(C.posix_spawn_file_actions_addclose(actions, park + i), "addclose");
            }
            if (cwd != null) {
                check(C.posix_spawn_file_actions_addchdir_np(actions, cwd), "addchdir");
            }
            if (output != null) {
                // opened by the child before setpriv drops root: never through a link the app user planted
                check(C.posix_spawn_file_actions_addopen(actions, 1, output,
                        LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_NOFOLLOW, 0644), "addopen");
                check(C.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2");
                if (captureFd != NO_CAPTURE) {   // the real stdout and stderr, after childFds, are this file too
                    check(C.posix_spawn_file_actions_adddup2(actions, 1, 3 + childFds.size() - 2), "adddup2");
                    check(C.posix_spawn_file_actions_adddup2(actions, 1, 3 + childFds.size() - 1), "adddup2");
                }
            }
            if (captureFd != NO_CAPTURE) {
                check(C.posix_spawn_file_actions_adddup2(actions, captureFd, 1), "adddup2");
                check(C.posix_spawn_file_actions_adddup2(actions, captureFd, 2), "adddup2");
            }
            if (detached) {
                for (int fd = 0; fd <= (captureFd == NO_CAPTURE ? 2 : 0); fd++) {
                    check(C.posix_spawn_file_actions_addopen(actions, fd, "/dev/null", LibC.O_RDWR, 0), "addopen");
                }
            }
            C.sigfillset(allSignals);
            C.sigemptyset(noSignals);
            check(C.posix_spawnattr_setsigdefault(attr, allSignals), "posix_spawnattr_setsigdefault");
            check(C.posix_spawnattr_setsigmask(attr, noSignals), "posix_spawnattr_setsigmask");
            short flags = (short) (LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK
                    | (detached ? LibC.POSIX_SPAWN_SETSID : 0));
            check(C.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags");
            IntByReference pid = new IntByReference();
            List<Pointer> keep = new ArrayList<>();
            int rc = C.posix_spawnp(pid, argv.get(0), actions, attr, strings(argv, keep), strings(envList(env), keep));
            java.lang.ref.Reference.reachabilityFence(keep);
            if (rc != 0) {
                throw new IOException("cannot start " + argv.get(0) + ": " + C.strerror(rc));
            }
            return pid.intValue();
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
            C.posix_spawnattr_destroy(attr);
        }
    }

    /** Marks every fd from 3 up close-on-exec; returns the highest fd seen. */
    private static int markAllCloseOnExec() throws IOException {
        int highest = 2;
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        }
        for (int fd : fds) {
            highest = Math.max(highest, fd);
            if (fd > 2) {
                int flags = C.fcntl(fd, LibC.F_GETFD, 0);
                if (flags >= 0 && (flags & LibC.FD_CLOEXEC) == 0) {
                    C.fcntl(fd, LibC.F_SETFD, flags | LibC.FD_CLOEXEC);
                }
            }
        }
        return highest;
    }

    private static List<String> envList(Map<String, String> env) {
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** A NULL-terminated {@code char *[]}; its memory is added to {@code keep}, to outlive the call. */
    private Pointer strings(List<String> values, List<Pointer> keep) {
        int ptrSize = runtime.addressSize();
        Pointer array = Memory.allocateDirect(runtime, (long) (values.size() + 1) * ptrSize);
        for (int i = 0; i < values.size(); i++) {
            byte[] bytes = values.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = Memory.allocateDirect(runtime, bytes.length + 1);
            s.put(0, bytes, 0, bytes.length);
            s.putByte(bytes.length, (byte) 0);
            array.putPointer((long) i * ptrSize, s);
            keep.add(s);
        }
        array.putAddress((long) values.size() * ptrSize, 0L);
        keep.add(array);
        return array;
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) {
            throw new IOException(what + " failed: " + LibC.INSTANCE.strerror(rc));
        }
    }
}
