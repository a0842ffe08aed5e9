package io.qilin.arbiter.control;

import io.qilin.arbiter.listen.BindAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics-bind HOST:PORT}: {@code GET /metrics} in Prometheus' text format, served by one
 * selector thread of its own that never blocks on a client: a request is read, and its answer written,
 * as the socket allows, and a client gets {@link #DEADLINE_SECONDS} for the whole exchange. A stalled
 * scraper therefore delays nobody (the JDK's HTTP server, used before, read each request on its one
 * thread and let a silent connection block every other). It reads only the {@link StatusBoard}, never
 * the workers.
 */
public final class MetricsServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    /** The time a client has to send its request and read the answer. */
    static final int DEADLINE_SECONDS = 5;
    /** The most connections served at once; a new one pushes out the oldest. */
    static final int MAX_CONNECTIONS = 64;
    /** The longest request head read; a longer one gets 431. */
    private static final int MAX_HEAD = 8192;
    private static final long TICK_MILLIS = 250;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final StatusBoard board;
    private final Thread thread;
    private final LinkedHashSet<Client> clients = new LinkedHashSet<>();
    private volatile boolean closed;

    private MetricsServer(ServerSocketChannel server, Selector selector, StatusBoard board) {
        this.server = server;
        this.selector = selector;
        this.board = board;
        this.thread = new Thread(this::loop, "qilin-metrics");
        thread.setDaemon(true);
    }

    /** Listens on {@code hostPort} ({@code HOST:PORT} or {@code [v6]:PORT}, as the settings checked) and serves at once. */
    public static MetricsServer start(String hostPort, StatusBoard board) throws IOException {
        BindAddress a = BindAddress.parse(hostPort);
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(a.host(), a.port()), 16);
            server.configureBlocking(false);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot serve metrics on " + hostPort + ": " + e.getMessage(), e);
        }
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        MetricsServer m = new MetricsServer(server, selector, board);
        m.thread.start();
        return m;
    }

    /** The address actually bound (port 0 picks one). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the metrics socket is closed", e);
        }
    }

    /** One client: what it sent so far, then what is left of its answer. */
    private static final class Client {
        final SocketChannel channel;
        final long deadline;
        final ByteBuffer request = ByteBuffer.allocate(MAX_HEAD);
        ByteBuffer answer;

        Client(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }
    }

    private void loop() {
        try {
            while (!closed) {
                selector.select(TICK_MILLIS);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        Client c = (Client) key.attachment();
                        try {
                            if (c.answer == null) {
                                read(c, key);
                            } else {
                                write(c);
                            }
                        } catch (IOException e) {
                            drop(c);
                        }
                    }
                }
                expire(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("The metrics server failed; /metrics is no longer served", e);
            }
        } finally {
            new ArrayList<>(clients).forEach(this::drop);
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            if (clients.size() >= MAX_CONNECTIONS) {
                drop(clients.iterator().next());
            }
            ch.configureBlocking(false);
            Client c = new Client(ch, System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS));
            clients.add(c);
            ch.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void read(Client c, SelectionKey key) throws IOException {
        if (c.channel.read(c.request) < 0) {
            drop(c);
            return;
        }
        String head = new String(c.request.array(), 0, c.request.position(), StandardCharsets.ISO_8859_1);
        boolean complete = head.contains("\r\n\r\n") || head.contains("\n\n");
        if (!complete && c.request.hasRemaining()) {
            return;
        }
        c.answer = complete ? answer(head) : response(431, "text/plain; charset=utf-8", "Request head too large\n", true);
        key.interestOps(SelectionKey.OP_WRITE);
        write(c);
    }

    private void write(Client c) throws IOException {
        c.channel.write(c.answer);
        if (!c.answer.hasRemaining()) {
            drop(c); // Connection: close
        }
    }

    private ByteBuffer answer(String head) {
        String[] line = head.substring(0, head.indexOf('\n')).trim().split(" ");
        String method = line[0];
        String target = line.length > 1 ? line[1] : "";
        int query = target.indexOf('?');
        String path = query >= 0 ? target.substring(0, query) : target;
        boolean withBody = !method.equals("HEAD");
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return response(405, "text/plain; charset=utf-8", "Only GET\n", withBody);
        }
        if (!path.equals("/metrics")) {
            return response(404, "text/plain; charset=utf-8", "Not found: the metrics are at /metrics\n", withBody);
        }
        MasterStatus s = board.latest();
        if (s == null) {
            return response(503, "text/plain; charset=utf-8", "The master is starting\n", withBody);
        }
        return response(200, Prometheus.CONTENT_TYPE, Prometheus.format(s), withBody);
    }

    private static ByteBuffer response(int status, String type, String body, boolean withBody) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Service Unavailable";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: "
                + bytes.length + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + (withBody ? bytes.length : 0));
        out.put(head.getBytes(StandardCharsets.ISO_8859_1));
        if (withBody) {
            out.put(bytes);
        }
        return out.flip();
    }

    /** Closes every connection past its deadline, whatever it was doing. */
    private void expire(long now) {
        List<Client> late = new ArrayList<>();
        for (Client c : clients) {
            if (now - c.deadline > 0) {
                late.add(c);
            }
        }
        late.forEach(this::drop);
    }

    private void drop(Client c) {
        clients.remove(c);
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
            selector.close();
            server.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("closing the metrics server: {}", e.toString());
        }
    }
}
