package io.qilin.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Load for the scenarios: N threads, a new connection per request, every outcome counted (success,
 * reset, refused, timeout, wrong answer, other). Bounded: it stops when told, or after a hard limit
 * of time, whichever comes first.
 */
final class LoadClient implements AutoCloseable {
    enum Outcome { SUCCESS, RESET, REFUSED, TIMEOUT, WRONG, OTHER }

    private static final long HARD_LIMIT_MILLIS = TimeUnit.MINUTES.toMillis(5);

    private final int port;
    private final String path;
    private final Predicate<Http.Response> ok;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Outcome, AtomicLong> counts = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline = System.currentTimeMillis() + HARD_LIMIT_MILLIS;

    private LoadClient(int port, String path, Predicate<Http.Response> ok) {
        this.port = port;
        this.path = path;
        this.ok = ok;
        for (Outcome o : Outcome.values()) {
            counts.put(o, new AtomicLong());
        }
    }

    /** Starts {@code threads} threads sending GET {@code path}; a response passing {@code ok} is a success. */
    static LoadClient start(int port, int threads, String path, Predicate<Http.Response> ok) {
        LoadClient c = new LoadClient(port, path, ok);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(c::loop, "load-" + i);
            t.setDaemon(true);
            c.threads.add(t);
            t.start();
        }
        return c;
    }

    private void loop() {
        while (running.get() && System.currentTimeMillis() < deadline) {
            Outcome o;
            String detail = null;
            try {
                Http.Response r = Http.get(port, path);
                o = ok.test(r) ? Outcome.SUCCESS : Outcome.WRONG;
                detail = o == Outcome.WRONG ? r.toString() : null;
            } catch (ConnectException e) {
                o = Outcome.REFUSED;
                detail = e.toString();
            } catch (SocketTimeoutException e) {
                o = Outcome.TIMEOUT;
                detail = e.toString();
            } catch (SocketException e) {
                o = e.getMessage() != null && e.getMessage().contains("reset") ? Outcome.RESET : Outcome.OTHER;
                detail = e.toString();
            } catch (IOException e) {
                o = Outcome.OTHER;
                detail = e.toString();
            }
            counts.get(o).incrementAndGet();
            if (detail != null && failures.size() < 50) {
                failures.add(java.time.LocalTime.now() + " " + o + ": " + detail);
            }
        }
    }

    long count(Outcome o) {
        return counts.get(o).get();
    }

    long successes() {
        return count(Outcome.SUCCESS);
    }

    long failed() {
        long n = 0;
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.SUCCESS) {
                n += count(o);
            }
        }
        return n;
    }

    /** Waits until at least {@code n} more requests have succeeded, so each step runs under real load. */
    void awaitMoreSuccesses(long n) {
        long target = successes() + n;
        while (successes() < target && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the threads and waits for their last requests. */
    void stop() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(Http.TIMEOUT_MILLIS + 5000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "load: " + counts + (failures.isEmpty() ? "" : ", first failures: " + failures);
    }
}
