package io.qilin.worker;

import io.qilin.worker.protocol.FileDescriptors;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

/**
 * A listening socket this worker inherited from the master. The socket is shared with the master and
 * every sibling, and is non-blocking: O_NONBLOCK lives on the shared file description, so a kind must
 * not switch it to blocking mode. Closing a worker's channel closes only this process's copy.
 */
public final class Listener {
    private final ListenerSpec spec;
    private ServerSocketChannel channel;

    private Listener(ListenerSpec spec, ServerSocketChannel channel) {
        this.spec = spec;
        this.channel = channel;
    }

    /** A listener for an inherited fd; its channel is created on first use. */
    public static Listener inherited(ListenerSpec spec) {
        return new Listener(spec, null);
    }

    /** A listener over a channel this process bound itself (tests, embedding). */
    public static Listener of(ListenerSpec spec, ServerSocketChannel channel) {
        return new Listener(spec, channel);
    }

    public ListenerSpec spec() {
        return spec;
    }

    /** The fd number in this process (for kinds that wrap the fd natively, such as Netty's epoll). */
    public int fd() {
        return spec.fd();
    }

    /** This process's channel over the socket, adopted from the fd on first call. */
    public synchronized ServerSocketChannel channel() throws IOException {
        if (channel == null) {
            StandardProtocolFamily family;
            switch (spec.family()) {
                case UNIX:
                    family = StandardProtocolFamily.UNIX;
                    break;
                case INET6:
                    family = StandardProtocolFamily.INET6;
                    break;
                default:
                    family = StandardProtocolFamily.INET;
            }
            channel = FileDescriptors.adoptServerSocket(spec.fd(), family);
            channel.configureBlocking(false);
        }
        return channel;
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
