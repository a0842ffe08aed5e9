package io.qilin.worker.sync;

import io.qilin.worker.internal.ProxyProtocol;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync worker's reactor, after Puma's: one thread that accepts connections and reads each one's
 * request, without blocking, until it is complete; only then is the request queued for the one request
 * thread. A slow or silent client therefore holds a connection slot, never the request thread.
 * <ul>
 *   <li>Deadlines: the head must arrive within {@code --header-timeout} of the accept, and the body may
 *       pause at most {@code --body-timeout}; then the client gets 408, or a plain close if it sent
 *       nothing. A body over {@code --limit-request-body} gets 413 as soon as its size is known.</li>
 *   <li>It accepts only while the request thread has nothing to do, so a busy worker leaves queued
 *       connections to its idle siblings, as the blocking sync worker did.</li>
 *   <li>At most {@code --worker-connections} connections are held; a new one then pushes out the
 *       oldest held (closed if it sent nothing, else 503), so a flood of idle connections cannot lock
 *       clients out.</li>
 *   <li>Buffered requests share a memory budget (a quarter of the heap); a connection that would go past
 *       it is not read until others are served, and meets its deadline if that takes too long.</li>
 *   <li>With {@code --proxy-protocol}, a connection from a peer not in {@code --proxy-allow-from} is
 *       closed at the accept, and one that does not start with a valid PROXY header (or has not sent it
 *       whole within {@code --header-timeout}) is closed without an answer.</li>
 * </ul>
 */
final class Reactor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Reactor.class);
    private static final long TICK_MILLIS = 250;
    /** How long an answered connection may still send (its unread request) before it is closed. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** At a stop, a connection that has sent nothing for this long is closed rather than waited for. */
    private static final long SILENT_AT_STOP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long EVICTION_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The limits the reactor enforces. */
    record Limits(int maxConnections, long headerNanos, long bodyNanos, int maxHead, long maxBody, long memoryBudget) {
    }

    private final Selector selector;
    private final List<ServerSocketChannel> listeners;
    private final Limits limits;
    private final ProxyProtocol proxyProtocol;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    /** Connections being read or lingering, oldest first; the reactor thread's alone. */
    private final LinkedHashSet<ClientConnection> held = new LinkedHashSet<>();
    private final List<ClientConnection> paused = new ArrayList<>();
    private final BlockingQueue<ClientConnection> ready = new LinkedBlockingQueue<>();
    /** Complete requests queued or being served. */
    private final AtomicInteger handedOff = new AtomicInteger();
    /** Served connections the request thread gives back, to linger. */
    private final Queue<ClientConnection> returned = new ConcurrentLinkedQueue<>();
    private final AtomicLong buffered = new AtomicLong();
    private volatile boolean stopping;
    /** TERM: the connections already waiting on the listeners are taken in and served before the stop. */
    private volatile boolean drainQueue;
    private volatile boolean finished;
    private long stopDeadline;
    private boolean accepting;
    private int evicted;
    private long lastEvictionLog;

    Reactor(List<ServerSocketChannel> listeners, Limits limits, ProxyProtocol proxyProtocol) throws IOException {
        this.selector = Selector.open();
        this.listeners = listeners;
        this.limits = limits;
        this.proxyProtocol = proxyProtocol;
        for (ServerSocketChannel l : listeners) {
            l.register(selector, 0);
        }
    }

    /** The next complete request, waiting at most {@code millis}; null if none came. */
    ClientConnection next(long millis) throws InterruptedException {
        return ready.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The request thread is done with a connection: it lingers if it must, else it is closed. */
    void served(ClientConnection c) {
        buffered.addAndGet(-c.length());
        if (c.sentMoreThanTheRequest() && c.channel.isOpen()) {
            returned.add(c);
        } else {
            c.close();
        }
        handedOff.decrementAndGet();
        selector.wakeup();
    }

    /**
     * Stop accepting; held requests are still completed and served, for at most {@code graceNanos}.
     * With {@code drainQueue} (TERM), the connections the kernel has already accepted on the listeners
     * are taken in first, so a graceful stop resets none of them; a max-requests stop leaves them to
     * the sibling workers.
     */
    void stop(long graceNanos, boolean drainQueue) {
        this.drainQueue = drainQueue;
        stopDeadline = System.nanoTime() + graceNanos;
        stopping = true;
        selector.wakeup();
    }

    /** True once the reactor has exited and every request it queued has been taken. */
    boolean drained() {
        return finished && ready.isEmpty();
    }

    @Override
    public void run() {
        try {
            while (!(stopping && (held.isEmpty() || System.nanoTime() - stopDeadline > 0) && handedOff.get() == 0
                    && returned.isEmpty())) {
                setAccepting(!stopping && handedOff.get() == 0);
                if (stopping && drainQueue) {
                    drainQueue = false;
                    takeWaiting(System.nanoTime());
                }
                selector.select(TICK_MILLIS);
                long now = System.nanoTime();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.attachment() == null) {
                        acceptFrom((ServerSocketChannel) key.channel(), now);
                    } else {
                        read((ClientConnection) key.attachment(), now);
                    }
                }
                adoptReturned(now);
                resumePaused(now);
                expire(now);
                logEvictions(now);
            }
        } catch (IOException | RuntimeException e) {
            log.error("The sync reactor failed; the worker stops accepting", e);
        } finally {
            held.forEach(ClientConnection::close);
            held.clear();
            try {
                selector.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
            finished = true;
        }
    }

    private void setAccepting(boolean on) {
        if (on != accepting) {
            accepting = on;
            for (ServerSocketChannel l : listeners) {
                SelectionKey key = l.keyFor(selector);
                if (key != null && key.isValid()) {
                    key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
                }
            }
        }
    }

    /** Accepts while the request thread is free, reading each new connection at once: a fast client's request is usually there. */
    private void acceptFrom(ServerSocketChannel listener, long now) throws IOException {
        while (!stopping && handedOff.get() == 0) {
            if (held.size() >= limits.maxConnections()) {
                evictOldest();
            }
            SocketChannel ch = acceptOrNull(listener);
            if (ch == null) {
                return; // a sibling took it, the queue is empty, or accept failed
            }
            hold(ch, now);
        }
    }

    /** At TERM: every connection waiting on the listeners, however many, to be read and served. */
    private void takeWaiting(long now) throws IOException {
        for (ServerSocketChannel listener : listeners) {
            SocketChannel ch;
            while ((ch = acceptOrNull(listener)) != null) {
                hold(ch, now);
            }
        }
    }

    private static SocketChannel acceptOrNull(ServerSocketChannel listener) {
        try {
            return listener.accept();
        } catch (IOException e) {
            log.debug("accept failed: {}", e.toString());
            return null;
        }
    }

    private void hold(SocketChannel ch, long now) throws IOException {
        if (!proxyProtocol.accepts(ch.getRemoteAddress())) {
            log.debug("Closed a connection from {}: not in --proxy-allow-from", ch.getRemoteAddress());
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        if (ch.getRemoteAddress() instanceof java.net.InetSocketAddress) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        ClientConnection c = new ClientConnection(ch, new RequestFraming(limits.maxHead(), limits.maxBody()),
                now + limits.headerNanos(), proxyProtocol.enabled());
        held.add(c);
        read(c, now);
        if (held.contains(c) && c.key == null) {
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
        }
    }

    private void read(ClientConnection c, long now) {
        try {
            while (true) {
                if (!c.lingering() && buffered.get() >= limits.memoryBudget()) {
                    pause(c);
                    return;
                }
                readBuffer.clear();
                int n = c.channel.read(readBuffer);
                if (n < 0) {
                    drop(c); // the client gave up, or finished lingering
                    return;
                }
                if (n == 0) {
                    return;
                }
                if (c.lingering()) {
                    return; // drained and dropped; one read per turn, so a flooding client cannot hold the thread
                }
                readBuffer.flip();
                buffered.addAndGet(c.append(readBuffer));
                if (c.proxyHeaderPending()) {
                    int taken = c.takeProxyHeader(); // a malformed one throws, and the connection is dropped
                    if (taken < 0) {
                        continue;
                    }
                    buffered.addAndGet(-taken);
                }
                RequestFraming.Status status = c.scan();
                if (status == RequestFraming.Status.COMPLETE) {
                    handOff(c);
                    return;
                }
                if (status == RequestFraming.Status.TOO_LARGE) {
                    answer(c, 413, "Request body too large (--limit-request-body " + limits.maxBody() + ")", now);
                    return;
                }
                if (c.framing.headComplete()) {
                    c.deadline = now + limits.bodyNanos(); // the body may pause this long
                }
                if (!c.continueSent() && c.framing.wantsContinue(c.length())) {
                    c.continueSent(true);
                    c.channel.write(ByteBuffer.wrap(RequestFraming.continueResponse()));
                }
            }
        } catch (IOException e) {
            log.debug("reading a request failed: {}", e.toString());
            drop(c);
        }
    }

    private void handOff(ClientConnection c) {
        held.remove(c);
        if (c.key != null) {
            c.key.cancel();
        }
        handedOff.incrementAndGet();
        ready.add(c);
    }

    private void pause(ClientConnection c) throws IOException {
        if (c.key == null) {
            c.key = c.channel.register(selector, 0, c);
        } else {
            c.key.interestOps(0);
        }
        paused.add(c);
    }

    private void resumePaused(long now) {
        for (Iterator<ClientConnection> it = paused.iterator(); it.hasNext() && buffered.get() < limits.memoryBudget();) {
            ClientConnection c = it.next();
            it.remove();
            if (c.channel.isOpen() && c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ);
                read(c, now);
            }
        }
    }

    private void adoptReturned(long now) throws IOException {
        if (returned.isEmpty()) {
            return;
        }
        selector.selectNow(); // deregisters the keys cancelled at hand-off, so the channels can register again
        ClientConnection c;
        while ((c = returned.poll()) != null) {
            c.linger(now + LINGER_NANOS);
            try {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
                held.add(c);
            } catch (ClosedChannelException e) {
                // the client closed meanwhile
            }
        }
    }

    /** Answers a connection the reactor refuses (408, 413, 503), then lets it linger so the answer is read, not reset. */
    private void answer(ClientConnection c, int status, String message, long now) {
        buffered.addAndGet(-c.length());
        try {
            String reason = RequestHandler.reason(status);
            byte[] body = (reason + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + " " + reason + "\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(body).flip();
            c.channel.write(out); // small: fits the socket buffer, or the client is not reading and loses it
            c.channel.shutdownOutput();
            c.linger(now + LINGER_NANOS);
            if (c.key == null) {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
            } else if (c.key.isValid()) {
                c.key.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            drop(c);
        }
    }

    /** Closes a held connection and forgets it. */
    private void drop(ClientConnection c) {
        if (held.remove(c) && !c.lingering()) {
            buffered.addAndGet(-c.length());
        }
        paused.remove(c);
        c.close();
    }

    /** Deadlines: a connection that sent nothing is closed; one that sent part of a request gets 408. */
    private void expire(long now) {
        List<ClientConnection> late = new ArrayList<>();
        for (ClientConnection c : held) {
            boolean silentAtStop = stopping && c.length() == 0 && now - c.deadline + limits.headerNanos() > SILENT_AT_STOP_NANOS;
            if (now - c.deadline > 0 || silentAtStop) {
                late.add(c);
            }
        }
        for (ClientConnection c : late) {
            if (c.lingering() || c.length() == 0 || c.proxyHeaderPending()) {
                drop(c);
            } else {
                log.debug("request not received in time from {}; 408", remote(c));
                paused.remove(c);
                answer(c, 408, c.framing.headComplete() ? "the request body paused too long (--body-timeout)"
                        : "the request head took too long (--header-timeout)", now);
            }
        }
    }

    /** Makes room for a new connection: the oldest held one goes. */
    private void evictOldest() {
        ClientConnection oldest = held.iterator().next();
        evicted++;
        if (oldest.lingering() || oldest.length() == 0 || oldest.proxyHeaderPending()) {
            drop(oldest);
        } else {
            answer(oldest, 503, "too many connections (--worker-connections " + limits.maxConnections() + ")",
                    System.nanoTime());
            drop(oldest);
        }
    }

    private void logEvictions(long now) {
        if (evicted > 0 && now - lastEvictionLog > EVICTION_LOG_NANOS) {
            log.warn("{} connection(s) closed to make room for new ones: --worker-connections ({}) reached",
                    evicted, limits.maxConnections());
            evicted = 0;
            lastEvictionLog = now;
        }
    }

    private static Object remote(ClientConnection c) {
        try {
            return c.channel.getRemoteAddress();
        } catch (IOException e) {
            return "?";
        }
    }
}
