package io.qilin.arbiter.systemd;

import java.util.Map;

/** systemd's socket activation: listening sockets passed at fds 3.. when {@code LISTEN_PID} is this process. */
public final class SocketActivation {
    /** The first fd systemd passes. */
    public static final int FIRST_FD = 3;

    private SocketActivation() {
    }

    /** How many sockets systemd passed to this process; 0 when none (or they were meant for another). */
    public static int passedFds(Map<String, String> env, long pid) {
        try {
            String listenPid = env.get("LISTEN_PID");
            String listenFds = env.get("LISTEN_FDS");
            if (listenPid == null || listenFds == null || Long.parseLong(listenPid.trim()) != pid) {
                return 0;
            }
            return Math.max(0, Integer.parseInt(listenFds.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
