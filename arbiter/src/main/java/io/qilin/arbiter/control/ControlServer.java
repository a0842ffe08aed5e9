package io.qilin.arbiter.control;

import io.qilin.arbiter.files.SafeFiles;
import io.qilin.arbiter.posix.LibC;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket: a unix socket, mode 0600, that only the master's own user may use (the peer's
 * credentials are checked on every connection, whatever the file's mode). One thread accepts; each
 * connection gets a thread of its own ({@link ControlSession}). Commands that act on workers are
 * queued here and run by the loop thread in {@link #runPending}, woken through its signal queue.
 */
public final class ControlServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    /** Connections served at once; more are told the master is busy. */
    static final int MAX_SESSIONS = 8;
    /** How long a session waits for the loop to run its command; the loop runs it within a pass unless stopping. */
    static final long LOOP_ANSWER_MILLIS = 30_000;
    /** How long {@link #close} lets sessions finish the answer they are writing. */
    static final long CLOSE_GRACE_MILLIS = 1000;

    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final StatusBoard board;
    private final Runnable wakeup;
    private final BlockingQueue<Pending<?>> pending = new LinkedBlockingQueue<>();
    private final Set<SocketChannel> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessionCount = new AtomicInteger();
    private volatile Path path;
    private volatile boolean closed;

    private ControlServer(ServerSocketChannel server, Path path, UserPrincipal owner, StatusBoard board, Runnable wakeup) {
        this.server = server;
        this.path = path;
        this.owner = owner;
        this.board = board;
        this.wakeup = wakeup;
    }

    /**
     * Binds the socket at {@code path} and starts accepting. A stale socket file there is replaced;
     * one that a live master answers on is not, nor anything that is not a socket.
     *
     * @param wakeup wakes the loop, which then calls {@link #runPending}
     */
    public static ControlServer open(Path path, StatusBoard board, Runnable wakeup) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!ControlPaths.isSocket(path)) {
                throw new IOException("cannot create control socket " + path + ": something that is not a socket is there");
            }
            if (ControlPaths.probe(path) != ControlPaths.Probe.STALE) {
                throw new IOException("control socket " + path + " is in use by another master");
            }
            Files.delete(path);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        boolean ours = false;
        try {
            bindOwnerOnly(ch, path);
            UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
            if (!owner.equals(me())) {
                throw new IOException("it belongs to " + owner.getName() + " (replaced after it was made)");
            }
            ours = true;
            ControlServer s = new ControlServer(ch, path, owner, board, wakeup);
            Thread t = new Thread(s::acceptLoop, "qilin-ctl-accept");
            t.setDaemon(true);
            t.start();
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (ours) {
                Files.deleteIfExists(path);
            }
            throw new IOException("cannot create control socket " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** Moves the socket file (an upgraded master taking over the usual path); connections stay. */
    public void renameTo(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        path = target;
    }

    /** Runs every queued command on the calling thread, which must be the loop's. */
    public void runPending(ControlTarget target) {
        Pending<?> p;
        while ((p = pending.poll()) != null) {
            p.run(target);
        }
    }

    /**
     * Stops accepting, removes the socket file, fails queued commands and ends every session (each may
     * first finish the answer it is writing: {@code ctl stop} gets its reply, then the end of the stream).
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do about it
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("Cannot remove the control socket {}: {}", path, e.getMessage());
        }
        Pending<?> p;
        while ((p = pending.poll()) != null) {
            p.result.completeExceptionally(new ControlException("the master is stopping"));
        }
        for (SocketChannel s : sessions) {
            try {
                s.shutdownInput();   // the session reads the end of its requests and returns
            } catch (IOException ignored) {
                // closed below
            }
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MILLIS);
        while (!sessions.isEmpty() && System.nanoTime() - until < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (SocketChannel s : sessions) {
            try {
                s.close();
            } catch (IOException ignored) {
                // the session thread notices
            }
        }
    }

    boolean closed() {
        return closed;
    }

    StatusBoard board() {
        return board;
    }

    /** Queues {@code action} for the loop thread, wakes it, and waits for the result. */
    <T> T onLoop(String what, Function<ControlTarget, T> action) {
        Pending<T> p = new Pending<>(what, action);
        pending.add(p);
        if (closed) {
            pending.remove(p);
            throw new ControlException("the master is stopping");
        }
        wakeup.run();
        try {
            return p.result.get(LOOP_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ControlException ? (ControlException) e.getCause()
                    : new ControlException(what + " failed: " + e.getCause());
        } catch (TimeoutException e) {
            pending.remove(p);
            throw new ControlException("the master did not act on '" + what + "' within "
                    + LOOP_ANSWER_MILLIS / 1000 + " s (is it stopping?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException("interrupted");
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.error("Control socket {} stopped accepting: {}", path, e.toString());
                }
                return;
            }
            Thread t = new Thread(() -> serve(ch), "qilin-ctl-" + sessionCount.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel ch) {
        sessions.add(ch);
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (!owner.equals(peer.user())) {
                log.warn("Control socket: refused a connection from user {}: only {} may control this master",
                        peer.user().getName(), owner.getName());
                refuse(ch, "permission denied: only user " + owner.getName() + " may control this master");
                return;
            }
            if (sessions.size() > MAX_SESSIONS) {
                refuse(ch, "busy: " + MAX_SESSIONS + " control connections are open");
                return;
            }
            new ControlSession(this, ch).run();
        } catch (IOException e) {
            if (!closed) {
                log.debug("Control session ended: {}", e.toString());
            }
        } finally {
            sessions.remove(ch);
        }
    }

    private static void refuse(SocketChannel ch, String why) throws IOException {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", false);
        answer.put("refused", true);
        answer.put("error", why);
        String line = Json.write(answer) + "\n";
        ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * bind(2) never follows a link and fails if anything is at {@code path}; the umask makes the socket
     * 0600 from its first moment (a chmod after would go through a name, which could be swapped). The
     * peer check in {@link #serve} is what keeps others out; the mode says so to anyone who looks.
     */
    private static void bindOwnerOnly(ServerSocketChannel ch, Path path) throws IOException {
        synchronized (LibC.class) {
            int old = LibC.INSTANCE.umask(0177);
            try {
                ch.bind(UnixDomainSocketAddress.of(path));
            } finally {
                LibC.INSTANCE.umask(old);
            }
        }
    }

    /** The user this process runs as (its effective uid). */
    static UserPrincipal me() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(SafeFiles.euid()));
    }

    /** A command waiting for the loop thread. */
    private static final class Pending<T> {
        final String what;
        final Function<ControlTarget, T> action;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Pending(String what, Function<ControlTarget, T> action) {
            this.what = what;
            this.action = action;
        }

        void run(ControlTarget target) {
            if (what.equals("status")) {
                log.debug("Control: {}", what);   // polled by monitoring; everything else changes something
            } else {
                log.info("Control: {}", what);
            }
            try {
                result.complete(action.apply(target));
            } catch (ControlException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                log.error("Control command '{}' failed", what, e);
                result.completeExceptionally(e);
            }
        }
    }
}
