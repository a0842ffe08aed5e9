package io.qilin.tck;

import com.sun.net.httpserver.Headers;
import io.qilin.worker.Listener;
import io.qilin.worker.PortableExchange;
import io.qilin.worker.Worker;
import io.qilin.worker.WorkerContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The smallest kind that serves the kit's application: one request per connection, on the accept
 * loop, as sync does. The broken kinds of the kit's own tests each break one clause of it.
 */
class TinyWorker extends Worker {
    protected final Selector selector;
    private volatile boolean drainOnStop;

    TinyWorker(WorkerContext context) {
        super(context);
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void run() throws Exception {
        for (Listener l : context.listeners()) {
            l.channel().register(selector, SelectionKey.OP_ACCEPT);
        }
        while (isAlive()) {
            beat();
            selector.select(200);
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel ch;
                while (isAlive() && (ch = ((ServerSocketChannel) key.channel()).accept()) != null) {
                    serve(ch.socket());
                }
            }
            selector.selectedKeys().clear();
        }
        if (drainOnStop) {
            for (Listener l : context.listeners()) {
                for (SocketChannel waiting; (waiting = l.channel().accept()) != null; ) {
                    serve(waiting.socket());
                }
            }
        }
        selector.close();
    }

    /** TERM: the connections waiting on the listeners are served before the worker exits. */
    @Override
    protected void handleExit() {
        drainOnStop = true;
        super.handleExit();
    }

    /** The heartbeat, from the accept loop. */
    protected void beat() {
        notifyAlive();
    }

    @Override
    protected void stopAccepting() {
        super.stopAccepting();
        selector.wakeup();
    }

    /** Reads a request line and headers, answers 400 if they make no sense, else runs the application. */
    protected void serve(Socket socket) throws IOException {
        socket.getChannel().configureBlocking(true);
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            String[] parts = line == null ? new String[0] : line.split(" ");
            Headers headers = new Headers();
            int fields = 0;
            boolean bad = parts.length != 3 || !parts[2].matches("HTTP/1\\.[01]");
            for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
                fields++;
                int colon = h.indexOf(':');
                bad |= colon < 1 || h.length() > context.config().limitRequestFieldSize() || h.indexOf('\0') >= 0;
                if (colon > 0) {
                    headers.add(h.substring(0, colon), h.substring(colon + 1).trim());
                }
            }
            OutputStream out = socket.getOutputStream();
            if (bad || fields > context.config().limitRequestFields() || line.length() > context.config().limitRequestLine()) {
                out.write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            requestStarted(line);
            try {
                portableApp().handle(new Exchange(parts, headers, socket, out));
            } finally {
                requestFinished();
            }
        }
    }

    private static final class Exchange extends PortableExchange {
        private final OutputStream out;

        Exchange(String[] line, Headers headers, Socket socket, OutputStream out) {
            super(line[0], URI.create(line[1]), line[2], headers, InputStream.nullInputStream(),
                    (InetSocketAddress) socket.getLocalSocketAddress(), (InetSocketAddress) socket.getRemoteSocketAddress());
            this.out = out;
        }

        @Override
        protected OutputStream openResponse(int code, long length, Headers headers) throws IOException {
            StringBuilder head = new StringBuilder("HTTP/1.1 " + code + " OK\r\nConnection: close\r\n");
            if (length >= 0) {
                head.append("Content-Length: ").append(length).append("\r\n");
            }
            headers.forEach((name, values) -> values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n")));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return out;
        }
    }
}
