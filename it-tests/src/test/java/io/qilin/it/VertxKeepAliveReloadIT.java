package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * S1 with keep-alive clients on vertx: a worker retired by a reload answers the next request on each
 * kept-alive connection with {@code Connection: close}, and never closes a connection under a request.
 */
class VertxKeepAliveReloadIT {
    private static final int CONNECTIONS = 8;

    @Test
    void hupUnderKeepAliveLoadLosesNoRequest() throws Exception {
        // a keep-alive well above any pause of a client thread on a busy machine: an idle connection
        // timing out is a race of its own, which clients retry; this test is about the reload
        try (Qilin q = Qilin.serving("vertx", 2, "--keep-alive", "10");
                KeepAliveLoad load = KeepAliveLoad.start(q.port, CONNECTIONS)) {
            load.awaitMoreSuccesses(300);
            for (int generation = 2; generation <= 4; generation++) {
                q.signal("HUP");
                q.awaitLog("Reload complete: generation " + generation + " is serving");
                load.awaitMoreSuccesses(300);
            }
            load.stop();
            System.out.println("S1 vertx keep-alive HUP x3: " + load);
            assertThat(load.failures).as(load.toString()).isEmpty();
            // each HUP retires every worker that holds a connection: each connection is told to close once
            assertThat(load.closedByServer.get()).as(load.toString()).isGreaterThanOrEqualTo(3L * CONNECTIONS);
        }
    }

    /**
     * Threads that each send {@code GET /pid} on one connection for as long as the server keeps it,
     * then open another. A request fails when its connection ends before the whole response, even a
     * reused connection that ends before the first byte (which a client may retry).
     */
    private static final class KeepAliveLoad implements AutoCloseable {
        private static final byte[] REQUEST = "GET /pid HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);

        final AtomicLong successes = new AtomicLong();
        final AtomicLong closedByServer = new AtomicLong();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final int port;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        private KeepAliveLoad(int port) {
            this.port = port;
        }

        static KeepAliveLoad start(int port, int connections) {
            KeepAliveLoad load = new KeepAliveLoad(port);
            for (int i = 0; i < connections; i++) {
                Thread t = new Thread(load::loop, "keep-alive-" + i);
                t.setDaemon(true);
                load.threads.add(t);
                t.start();
            }
            return load;
        }

        private void loop() {
            while (running.get()) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), Http.TIMEOUT_MILLIS);
                    s.setSoTimeout(Http.TIMEOUT_MILLIS);
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    int requests = 0;
                    while (running.get()) {
                        requests++;
                        s.getOutputStream().write(REQUEST);
                        if (!exchange(in, requests)) {
                            closedByServer.incrementAndGet();
                            break;
                        }
                    }
                } catch (IOException e) {
                    failures.add(java.time.LocalTime.now() + " " + e);
                }
            }
        }

        /** Reads one response; returns whether the connection stays open. */
        private boolean exchange(InputStream in, int request) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed " + (head.length() == 0 ? "before any byte" : "in the head")
                            + " of the response to request " + request + " on it");
                }
                head.append((char) b);
            }
            String text = head.toString().toLowerCase(java.util.Locale.ROOT);
            int at = text.indexOf("content-length:");
            if (!text.startsWith("http/1.1 200") || at < 0) {
                throw new IOException("unexpected response: " + head);
            }
            int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).trim());
            if (in.readNBytes(length).length < length) {
                throw new IOException("connection closed in the body of the response to request " + request);
            }
            successes.incrementAndGet();
            return !text.contains("connection: close");
        }

        void awaitMoreSuccesses(long n) throws InterruptedException {
            long target = successes.get() + n;
            long deadline = System.nanoTime() + Qilin.BOOT.toNanos();
            while (successes.get() < target && System.nanoTime() < deadline && failures.isEmpty()) {
                Thread.sleep(10);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(Http.TIMEOUT_MILLIS + 5000L);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }

        @Override
        public String toString() {
            return successes + " answered, " + closedByServer + " connections closed by the server after a response"
                    + (failures.isEmpty() ? "" : ", failures: " + failures.subList(0, Math.min(10, failures.size())));
        }
    }
}
