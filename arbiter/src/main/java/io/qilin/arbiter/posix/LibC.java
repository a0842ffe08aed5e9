package io.qilin.arbiter.posix;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The few libc calls the master needs, bound with jnr-ffi. jnr-posix's own posix_spawnp cannot set
 * POSIX_SPAWN_SETSIGDEF ("sigdefault not yet supported"), which a worker needs when the master was
 * started with signals ignored, so spawning is bound here directly.
 */
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    short POSIX_SPAWN_SETSIGDEF = 0x04;
    short POSIX_SPAWN_SETSIGMASK = 0x08;
    short POSIX_SPAWN_SETSID = 0x80;
    int O_RDWR = 2;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int O_EXCL = 0200;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;
    /** ARM and POWER number these two differently from x86, s390x and RISC-V. */
    boolean ARM_OR_POWER = System.getProperty("os.arch", "").matches("aarch64|arm.*|ppc.*");
    int O_DIRECTORY = ARM_OR_POWER ? 040000 : 0200000;
    int O_NOFOLLOW = ARM_OR_POWER ? 0100000 : 0400000;
    int ENOENT = 2;
    int EACCES = 13;
    int EEXIST = 17;
    int ENOTDIR = 20;
    int ELOOP = 40;
    /** Generous upper bounds of glibc's opaque types (336, 80 and 128 bytes on x86_64). */
    int SPAWNATTR_SIZE = 1024;
    int FILE_ACTIONS_SIZE = 1024;
    int SIGSET_SIZE = 256;

    int F_GETFD = 1;
    int F_SETFD = 2;
    int FD_CLOEXEC = 1;
    int WNOHANG = 1;
    int SOL_SOCKET = 1;
    int SO_DOMAIN = 39;
    int AF_UNIX = 1;
    int AF_INET = 2;
    int AF_INET6 = 10;

    int posix_spawnp(@Out IntByReference pid, String file, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addclose(Pointer fileActions, int fd);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

    /** glibc 2.29+. */
    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    int geteuid();

    int open(String path, int flags, int mode);

    int fchown(int fd, int uid, int gid);

    int fchmod(int fd, int mode);

    int ftruncate(int fd, long length);

    int dup2(int fd, int newFd);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    int waitpid(int pid, @Out IntByReference status, int options);

    int kill(int pid, int sig);

    int fcntl(int fd, int cmd, int arg);

    int pipe(@Out int[] fds);

    int close(int fd);

    int getppid();

    int getsockopt(int fd, int level, int option, @Out IntByReference value, IntByReference length);

    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;

    int socket(int domain, int type, int protocol);

    long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength);

    int umask(int mask);

    String strerror(int errno);
}
