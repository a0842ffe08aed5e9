package io.qilin.arbiter.listen;

import io.qilin.worker.ListenerSpec;
import io.qilin.worker.protocol.FileDescriptors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** A listening socket held by the master, shared with every worker. */
public final class BoundListener {
    private final BindAddress requested;
    private final ServerSocketChannel channel;
    private final ListenerSpec.Family family;
    private final boolean inherited;

    BoundListener(BindAddress requested, ServerSocketChannel channel, ListenerSpec.Family family, boolean inherited) {
        this.requested = requested;
        this.channel = channel;
        this.family = family;
        this.inherited = inherited;
    }

    /** The address as {@code --bind} gave it. */
    public BindAddress requested() {
        return requested;
    }

    ListenerSpec.Family family() {
        return family;
    }

    public ServerSocketChannel channel() {
        return channel;
    }

    /** This socket's fd in the master. */
    public int fd() {
        return FileDescriptors.fdOf(channel);
    }

    /** True for fds this master did not bind itself (fd://, systemd, an upgraded master's parent). */
    public boolean inherited() {
        return inherited;
    }

    /** The address actually bound: {@code host:port} with the real port, or the socket path. */
    public String address() {
        try {
            if (family == ListenerSpec.Family.UNIX) {
                return ((UnixDomainSocketAddress) channel.getLocalAddress()).getPath().toString();
            }
            InetSocketAddress a = (InetSocketAddress) channel.getLocalAddress();
            String host = a.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        } catch (IOException e) {
            return requested.toString();
        }
    }

    /** How a worker finds this listener: its fd in the worker is {@code 3 + index}. */
    public ListenerSpec specForWorker(int index) {
        return new ListenerSpec(3 + index, family, address());
    }

    /** For "Listening at:" lines: {@code http://127.0.0.1:8000} or {@code unix:/run/app.sock}. */
    @Override
    public String toString() {
        return family == ListenerSpec.Family.UNIX ? "unix:" + address() : "http://" + address();
    }

    /** Closes the master's copy; removes a unix socket's file when {@code unlink} and we bound it. */
    public void close(boolean unlink) {
        String path = family == ListenerSpec.Family.UNIX ? address() : null;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a listener cannot usefully fail
        }
        if (unlink && path != null && !inherited) {
            try {
                Files.deleteIfExists(Path.of(path));
            } catch (IOException ignored) {
                // the file is gone or not ours
            }
        }
    }
}
