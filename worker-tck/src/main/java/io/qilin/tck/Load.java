package io.qilin.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Clients that send {@code GET /pid} one after the other, each on a new connection, until stopped. */
final class Load implements AutoCloseable {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final List<Thread> clients = new ArrayList<>();
    private volatile boolean running = true;

    static Load start(int port, int clients) {
        Load load = new Load();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> load.run(port), "tck-load-" + i);
            t.setDaemon(true);
            load.clients.add(t);
            t.start();
        }
        return load;
    }

    private void run(int port) {
        while (running) {
            String failure;
            try {
                RawHttp.Response r = RawHttp.get(port, "/pid");
                if (r.status == 200) {
                    ok.incrementAndGet();
                    continue;
                }
                failure = r.toString();
            } catch (java.io.IOException e) {
                failure = e.toString();
            }
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, failure);
        }
    }

    long total() {
        return ok.get() + failed.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(70_000);
        }
    }
}
