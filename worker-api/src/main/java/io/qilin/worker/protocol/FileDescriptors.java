package io.qilin.worker.protocol;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Turns an inherited file descriptor into a {@link ServerSocketChannel}, and a channel back into its
 * fd number. The JDK has no public API for either; both reach into {@code sun.nio.ch} (same
 * signatures on JDK 17 and 25) and need {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}.
 * The {@code System.inheritedChannel()} route is avoided on purpose: closing that channel points
 * fds 0-2 at /dev/null and silences the process's logs.
 */
public final class FileDescriptors {
    private FileDescriptors() {
    }

    /** Wraps an already bound and listening socket fd of the given family. */
    public static ServerSocketChannel adoptServerSocket(int fd, ProtocolFamily family) throws IOException {
        try {
            FileDescriptor fdo = newFd(fd);
            Constructor<?> k = Class.forName("sun.nio.ch.ServerSocketChannelImpl").getDeclaredConstructor(
                    SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, boolean.class);
            k.setAccessible(true);
            ProtocolFamily f = family == StandardProtocolFamily.INET6 ? StandardProtocolFamily.INET6 : family;
            return (ServerSocketChannel) k.newInstance(SelectorProvider.provider(), f, fdo, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot adopt fd " + fd + " as a listening socket: " + rootMessage(e)
                    + " (does the JVM have --add-opens java.base/sun.nio.ch=ALL-UNNAMED?)", e);
        }
    }

    /** A {@link FileDescriptor} object for a raw fd number. */
    public static FileDescriptor newFd(int fd) throws ReflectiveOperationException {
        Method newFd = Class.forName("sun.nio.ch.IOUtil").getDeclaredMethod("newFD", int.class);
        newFd.setAccessible(true);
        return (FileDescriptor) newFd.invoke(null, fd);
    }

    /** The fd number behind a JDK NIO channel. */
    public static int fdOf(Channel channel) {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getDeclaredMethod("getFDVal");
            m.setAccessible(true);
            return (int) m.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read the fd of " + channel + ": " + rootMessage(e)
                    + " (does the JVM have --add-opens java.base/sun.nio.ch=ALL-UNNAMED?)", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
