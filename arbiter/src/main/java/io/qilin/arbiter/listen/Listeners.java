package io.qilin.arbiter.listen;

import io.qilin.arbiter.posix.LibC;
import io.qilin.arbiter.posix.Processes;
import io.qilin.worker.ListenerSpec;
import io.qilin.worker.protocol.FileDescriptors;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the listening sockets once, in the master: non-blocking (O_NONBLOCK lives on the shared file
 * description, and Netty hangs on a blocking one), SO_REUSEADDR, the given backlog.
 */
public final class Listeners {
    private Listeners() {
    }

    /** Binds every address; on a failure closes what was bound and throws with one clear message. */
    public static List<BoundListener> bind(List<BindAddress> addresses, int backlog) throws IOException {
        List<BoundListener> out = new ArrayList<>();
        try {
            for (BindAddress a : addresses) {
                out.add(bindOne(a, backlog));
            }
        } catch (IOException | RuntimeException e) {
            out.forEach(l -> l.close(true));
            throw e;
        }
        return out;
    }

    /**
     * Adopts already listening sockets at consecutive fds: systemd's {@code LISTEN_FDS} ({@code owned}
     * false: their files are never unlinked) or those an upgrading master passed on ({@code owned} true).
     */
    public static List<BoundListener> adopt(int firstFd, int count, boolean owned) throws IOException {
        List<BoundListener> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BoundListener l = adoptFd(BindAddress.parse("fd://" + (firstFd + i)), firstFd + i);
            out.add(owned ? new BoundListener(l.requested(), l.channel(), l.family(), false) : l);
        }
        return out;
    }

    private static BoundListener bindOne(BindAddress a, int backlog) throws IOException {
        switch (a.kind()) {
            case FD:
                return adoptFd(a, a.fd());
            case UNIX:
                return bindUnix(a, backlog);
            default:
                return bindTcp(a, backlog);
        }
    }

    /**
     * Binds a fresh SO_REUSEPORT socket for each address: {@code --reuse-port}, where every worker has
     * sockets of its own (and the kernel spreads connections over them). TCP only.
     */
    public static List<BoundListener> bindReusePort(List<BindAddress> addresses, int backlog) throws IOException {
        List<BoundListener> out = new ArrayList<>();
        try {
            for (BindAddress a : addresses) {
                if (a.kind() != BindAddress.Kind.TCP) {
                    throw new IOException("cannot listen at " + a + ": --reuse-port works with TCP addresses only");
                }
                out.add(bindTcp(a, backlog, true));
            }
        } catch (IOException | RuntimeException e) {
            out.forEach(l -> l.close(false));
            throw e;
        }
        return out;
    }

    private static BoundListener bindTcp(BindAddress a, int backlog) throws IOException {
        return bindTcp(a, backlog, false);
    }

    private static BoundListener bindTcp(BindAddress a, int backlog, boolean reusePort) throws IOException {
        InetAddress ip;
        try {
            ip = InetAddress.getByName(a.host());
        } catch (IOException e) {
            throw new IOException("cannot listen at " + a + ": unknown host '" + a.host() + "'");
        }
        boolean v6 = ip instanceof java.net.Inet6Address;
        ServerSocketChannel ch = ServerSocketChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(new InetSocketAddress(ip, a.port()), backlog);
            ch.configureBlocking(false);
        } catch (BindException e) {
            ch.close();
            throw new IOException("cannot listen at " + a + ": " + reason(e));
        }
        return new BoundListener(a, ch, v6 ? ListenerSpec.Family.INET6 : ListenerSpec.Family.INET, false);
    }

    private static BoundListener bindUnix(BindAddress a, int backlog) throws IOException {
        Path path = Path.of(a.path());
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isOther()) {
                throw new IOException("cannot listen at " + a + ": " + path + " exists and is not a socket");
            }
            Files.delete(path);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), backlog);
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen at " + a + ": " + reason(e));
        }
        return new BoundListener(a, ch, ListenerSpec.Family.UNIX, false);
    }

    private static BoundListener adoptFd(BindAddress a, int fd) throws IOException {
        int af = Processes.socketFamily(fd);
        ListenerSpec.Family family;
        StandardProtocolFamily pf;
        if (af == LibC.AF_INET) {
            family = ListenerSpec.Family.INET;
            pf = StandardProtocolFamily.INET;
        } else if (af == LibC.AF_INET6) {
            family = ListenerSpec.Family.INET6;
            pf = StandardProtocolFamily.INET6;
        } else if (af == LibC.AF_UNIX) {
            family = ListenerSpec.Family.UNIX;
            pf = StandardProtocolFamily.UNIX;
        } else {
            throw new IOException("cannot listen at " + a + ": fd " + fd + " is not an open socket");
        }
        ServerSocketChannel ch = FileDescriptors.adoptServerSocket(fd, pf);
        ch.configureBlocking(false);
        return new BoundListener(a, ch, family, true);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        return m.toLowerCase(java.util.Locale.ROOT).contains("address already in use") ? "address already in use" : m;
    }
}
