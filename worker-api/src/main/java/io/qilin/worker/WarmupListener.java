package io.qilin.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A worker kind's real HTTP stack serving one more listener, on the loopback, for the warm-up (see
 * {@link Worker#openWarmupListener()}). Plain HTTP, even when the shared sockets serve TLS.
 */
public interface WarmupListener extends AutoCloseable {
    /** Where the warm-up requests go: 127.0.0.1 and a port the kernel chose. */
    InetSocketAddress address();

    /** Stops serving the listener and frees what only it used. */
    @Override
    void close() throws Exception;

    /** Serves one accepted connection, blocking, and closes it. */
    @FunctionalInterface
    interface ConnectionHandler {
        void serve(Socket connection) throws IOException;
    }

    /**
     * For blocking kinds: a loopback server socket whose connections {@code handler} serves one at a
     * time, on a thread of its own, until closed.
     */
    static WarmupListener serving(ConnectionHandler handler) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    handler.serve(server.accept());
                } catch (IOException e) {
                    // closed, or one connection failed: the client side reports it
                }
            }
        }, "qilin-warmup-server");
        t.setDaemon(true);
        t.start();
        return new WarmupListener() {
            @Override
            public InetSocketAddress address() {
                return (InetSocketAddress) server.getLocalSocketAddress();
            }

            @Override
            public void close() throws Exception {
                server.close();
                t.join(1000);
            }
        };
    }
}
