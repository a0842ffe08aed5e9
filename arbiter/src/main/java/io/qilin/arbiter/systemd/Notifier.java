package io.qilin.arbiter.systemd;

import io.qilin.arbiter.posix.LibC;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sd_notify}: one datagram per state change to {@code $NOTIFY_SOCKET} (a path, or an abstract
 * name starting with '@'). Does nothing when the variable is not set. JDK 17 has no unix-domain
 * datagram channel, so the socket is libc's.
 */
public final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SOCKADDR_UN_SIZE = 110;

    private final String socket;
    private boolean quietFailureLogged;

    private Notifier(String socket) {
        this.socket = socket;
    }

    public static Notifier fromEnvironment(Map<String, String> env) {
        String s = env.get("NOTIFY_SOCKET");
        return new Notifier(s == null || s.isEmpty() ? null : s);
    }

    public boolean enabled() {
        return socket != null;
    }

    /** Sends {@code lines} (e.g. {@code READY=1}, {@code STATUS=...}) as one datagram; failures are logged. */
    public void notify(String... lines) {
        if (socket == null) {
            return;
        }
        String message = String.join("\n", lines);
        log.debug("sd_notify: {}", message.replace('\n', ' ')); // it-tests match this line
        if (!send(message)) {
            log.warn("sd_notify: sending to {} failed", socket);
        }
    }

    /**
     * As {@link #notify}, without the debug line, and warning of a failure only the first time: for
     * {@code WATCHDOG=1}, sent every few seconds.
     */
    public void notifyQuietly(String line) {
        if (socket != null && !send(line) && !quietFailureLogged) {
            quietFailureLogged = true;
            log.warn("sd_notify: sending {} to {} failed (not repeated)", line, socket);
        }
    }

    /** Returns false when the datagram could not be sent. */
    private boolean send(String message) {
        LibC c = LibC.INSTANCE;
        Runtime rt = Runtime.getRuntime(c);
        int fd = c.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        try {
            byte[] path = socket.getBytes(StandardCharsets.UTF_8);
            if (path[0] == '@') {
                path[0] = 0; // the abstract namespace
            }
            Pointer addr = Memory.allocateDirect(rt, SOCKADDR_UN_SIZE);
            addr.putShort(0, (short) LibC.AF_UNIX);
            addr.put(SUN_PATH_OFFSET, path, 0, Math.min(path.length, SOCKADDR_UN_SIZE - SUN_PATH_OFFSET - 1));
            byte[] body = message.getBytes(StandardCharsets.UTF_8);
            Pointer buf = Memory.allocateDirect(rt, body.length);
            buf.put(0, body, 0, body.length);
            int addrLen = SUN_PATH_OFFSET + path.length + (path[0] == 0 ? 0 : 1);
            return c.sendto(fd, buf, body.length, 0, addr, addrLen) >= 0;
        } finally {
            c.close(fd);
        }
    }
}
