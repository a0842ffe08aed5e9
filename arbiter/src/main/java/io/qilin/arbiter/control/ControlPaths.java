package io.qilin.arbiter.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a master's control socket is: {@code --control-socket}, else {@code <pidfile>.ctl} beside the
 * pidfile, else {@code qilin-<pid>.ctl} in the master's private runtime directory
 * ({@link io.qilin.arbiter.files.RuntimeDir#standard}). The master and {@code qilin ctl} both use these
 * rules.
 */
public final class ControlPaths {
    private static final Pattern BY_PID = Pattern.compile("qilin-(\\d+)\\.ctl");

    private ControlPaths() {
    }

    /** The master's socket path; {@code runtimeDir} is the private directory of the master's user. */
    public static Path of(String setting, Path pidfile, long pid, Path runtimeDir) {
        if (setting != null && !setting.isBlank()) {
            return Path.of(setting).toAbsolutePath();
        }
        if (pidfile != null) {
            return besidePidfile(pidfile);
        }
        return runtimeDir.resolve("qilin-" + pid + ".ctl");
    }

    /** True when the socket is the default one, in the runtime directory. */
    public static boolean isDefault(String setting, Path pidfile) {
        return (setting == null || setting.isBlank()) && pidfile == null;
    }

    /** {@code <pidfile>.ctl}. */
    public static Path besidePidfile(Path pidfile) {
        Path abs = pidfile.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + ".ctl");
    }

    /** Where a master with this pidfile may have its socket, most likely first (for {@code ctl --pid}). */
    public static List<Path> candidates(Path pidfile, long pid, Path runtimeDir) {
        return List.of(besidePidfile(pidfile), runtimeDir.resolve("qilin-" + pid + ".ctl"));
    }

    /**
     * The sockets of running masters in {@code runtimeDir}: those a connection is accepted on. A socket
     * nobody answers on is a master's that was killed (-9, the OOM killer): it is removed.
     */
    public static List<Path> running(Path runtimeDir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(runtimeDir, "qilin-*.ctl")) {
            for (Path f : files) {
                if (!BY_PID.matcher(f.getFileName().toString()).matches()) {
                    continue;
                }
                switch (probe(f)) {
                    case LIVE:
                        out.add(f);
                        break;
                    case STALE:
                        removeStale(f);
                        break;
                    default:
                        break;   // not ours to judge (permission denied, ...): neither listed nor removed
                }
            }
        } catch (IOException | RuntimeException e) {
            // a missing or unreadable directory holds no master of ours
        }
        out.sort(null);
        return out;
    }

    /** What a connection to a socket file tells of it. */
    public enum Probe { LIVE, STALE, UNKNOWN }

    /** LIVE: something accepts connections at {@code path}; STALE: connection refused, nobody listens there. */
    public static Probe probe(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return Probe.LIVE;
        } catch (ConnectException e) {
            return Probe.STALE;
        } catch (IOException e) {
            return Probe.UNKNOWN;
        }
    }

    /** Removes a socket file nobody answers on, if it is a socket (never a file someone named by mistake). */
    static void removeStale(Path socket) {
        try {
            if (isSocket(socket)) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            // not ours to remove: left alone
        }
    }

    /** True when {@code path} itself (not what a link points to) is a unix socket. */
    static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }
}
