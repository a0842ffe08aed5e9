package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile HTTP clients against every kind, on the real distribution: slowloris, an idle flood, a client
 * that never reads a large response, a huge body, pipelining. Each asserts what normal clients get
 * (their success ratio), the status codes, and that no worker was aborted or replaced (the same pids, no
 * "WORKER TIMEOUT"). The heartbeat timeout is short (10 s) and the header deadline shorter (3 s), and
 * the slowloris and idle-flood scenarios outlast both.
 */
class SlowClientsIT {
    /** A short heartbeat timeout, and a boot timeout for a machine shared by many builds. */
    private static final String[] DEADLINES = {"--timeout", "10", "--header-timeout", "3", "--body-timeout", "3",
        "--write-timeout", "2", "--threads", "1", "--boot-timeout", "120"};
    private static final double REQUIRED_SUCCESS = 0.95;

    private static String[] args(String... more) {
        List<String> all = new ArrayList<>(List.of(DEADLINES));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static void assertNoWorkerLost(Qilin q, List<Long> pids) {
        assertThat(q.workerPids()).as("workers after the attack, see " + q.logFile()).isEqualTo(pids);
        assertThat(q.count("WORKER TIMEOUT")).as("worker timeouts in " + q.logFile()).isZero();
    }

    private static double ratio(LoadClient load) {
        return (double) load.successes() / Math.max(1, load.successes() + load.failed());
    }

    /** 300 connections sending a header byte every 2 s, each reconnecting when the worker cuts it. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void slowlorisLeavesNormalClientsServed(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 2, args())) {
            List<Long> pids = q.workerPids();
            try (Slowloris attack = new Slowloris(q.port, 300);
                    LoadClient load = LoadClient.start(q.port, 4, "/", r -> r.status == 200)) {
                // four rounds of cuts (each at least 3 s): the attack outlasts the heartbeat timeout
                await().atMost(Duration.ofMinutes(2)).until(() -> attack.reconnects() >= 1200);
                load.stop();
                System.out.printf("%s slowloris: %.4f of normal requests answered, %s; %d slowloris reconnects%n", kind,
                        ratio(load), load, attack.reconnects());
                assertThat(ratio(load)).as(load.toString()).isGreaterThanOrEqualTo(REQUIRED_SUCCESS);
                assertThat(load.successes()).as(load.toString()).isPositive();
            }
            assertNoWorkerLost(q, pids);
        }
    }

    /** 1,500 connections that send nothing, against 2 workers holding at most 500 each. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void idleFloodLeavesNormalClientsServed(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 2, args("--worker-connections", "500"))) {
            List<Long> pids = q.workerPids();
            List<Socket> idle = new ArrayList<>();
            try (LoadClient load = LoadClient.start(q.port, 4, "/", r -> r.status == 200)) {
                for (int i = 0; i < 1500; i++) {
                    idle.add(new Socket("127.0.0.1", q.port));
                }
                load.awaitMoreSuccesses(300);
                // the flood lasts past the heartbeat timeout (10 s) and the idle connections' header deadline (3 s)
                await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(13)).until(() -> true);
                load.stop();
                System.out.printf("%s idle flood: %.4f of normal requests answered, %s%n", kind, ratio(load), load);
                assertThat(ratio(load)).as(load.toString()).isGreaterThanOrEqualTo(REQUIRED_SUCCESS);
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            assertNoWorkerLost(q, pids);
        }
    }

    /** A client that asks for 64 MiB and reads nothing: cut after the write deadline, the next client served. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void aClientThatNeverReadsIsCutAndOthersAreServed(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, args());
                Socket greedy = notReading(q.port)) {
            List<Long> pids = q.workerPids();
            greedy.getOutputStream().write("GET /big?mb=64 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(30)).until(() -> greedy.getInputStream().available() > 0); // it is being answered
            // with one request thread (sync, gthread --threads 1) this waits for the write deadline to free it;
            // a worker stuck past --timeout would have been aborted and replaced first (the pid check below)
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
            // the worker gives up on the client (vertx served /pid meanwhile, from another thread)
            q.awaitLog("Reset the connection of GET /big|Error handling request /big|Closed the connection of GET /big");
            assertThat(readAll(greedy)).as("bytes the non-reading client got").isLessThan(64L << 20);
            assertNoWorkerLost(q, pids);
        }
    }

    /** A declared 100 MiB body is refused at once; a 256 MiB chunked one is stopped as it streams, with no OOM. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void aHugeBodyGets413AndTheWorkerSurvives(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, args("--limit-request-body", "1048576",
                "--worker-jvm-opts", "-Xmx96m"))) {
            List<Long> pids = q.workerPids();
            Http.Response declared = Http.send(q.port,
                    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n");
            assertThat(declared.status).isEqualTo(413);
            String streamed = streamChunked(q.port, 256L << 20);
            assertThat(streamed).as("answer to a 256 MiB chunked body (empty: the connection was closed)")
                    .satisfiesAnyOf(s -> assertThat(s).startsWith("HTTP/1.1 413 "), s -> assertThat(s).isEmpty());
            if (kind.equals("sync")) {
                assertThat(streamed).startsWith("HTTP/1.1 413 "); // the reactor lingers, so the answer is read
            }
            assertThat(Http.post(q.port, "/echo", "small").body).isEqualTo("small");
            assertNoWorkerLost(q, pids);
        }
    }

    /** Two requests in one write: the first answered whole; sync stops there, the others answer both. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void pipelinedRequestsAreAnsweredInOrderWithoutAReset(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, args());
                Socket s = new Socket("127.0.0.1", q.port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.getOutputStream().write(("GET /pid HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            long pid = q.workerPids().get(0);
            assertThat(all).startsWith("HTTP/1.1 200 ").contains("\r\n\r\n" + pid);
            int responses = all.split("HTTP/1\\.1 200 ", -1).length - 1;
            assertThat(responses).isEqualTo(kind.equals("sync") ? 1 : 2);
        }
    }

    /** One stalled connection on --metrics-bind no longer blocks /metrics. */
    @ParameterizedTest
    @MethodSource("io.qilin.it.Qilin#kinds")
    void metricsAreServedPastStalledScrapers(String kind) throws Exception {
        if (!kind.equals("sync")) {
            return; // the metrics server is the master's, the same for every kind
        }
        int metricsPort = Qilin.freePort();
        try (Qilin q = Qilin.serving(kind, 1, args("--metrics-bind", "127.0.0.1:" + metricsPort));
                Socket silent = new Socket("127.0.0.1", metricsPort);
                Socket half = new Socket("127.0.0.1", metricsPort)) {
            half.getOutputStream().write("GET /metrics HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Http.Response r = Http.get(metricsPort, "/metrics");
                assertThat(r.status).isEqualTo(200);
                assertThat(r.body).contains("qilin_workers");
            });
        }
    }

    /** A client whose receive buffer is fixed small before it connects, so the kernel cannot take a whole response. */
    private static Socket notReading(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(64 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.setSoTimeout(Http.TIMEOUT_MILLIS);
        return s;
    }

    private static long readAll(Socket s) {
        long total = 0;
        byte[] buf = new byte[65536];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
            }
        } catch (IOException cut) {
            // reset: what it got until then counts
        }
        return total;
    }

    /** Sends up to {@code bytes} of chunked body, stopping when the server stops taking it; returns its answer. */
    private static String streamChunked(int port, long bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            try {
                out.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[64 << 10];
                byte[] size = "10000\r\n".getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(size);
                    out.write(chunk);
                    out.write(crlf);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException stopped) {
                // the server closed its side: read what it answered
            }
            try {
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException reset) {
                return "";
            }
        }
    }

    /**
     * Slowloris: connections that send a request head one byte every 2 s and never finish it; each one the
     * server cuts is opened again at once, so the pressure stays.
     */
    private static final class Slowloris implements AutoCloseable {
        private static final byte[] START = "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
        private final int port;
        private final List<Socket> sockets = new ArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong reconnects = new AtomicLong();
        private final Thread thread;

        Slowloris(int port, int connections) throws IOException {
            this.port = port;
            for (int i = 0; i < connections; i++) {
                sockets.add(open());
            }
            thread = new Thread(this::drip, "slowloris");
            thread.setDaemon(true);
            thread.start();
        }

        private Socket open() throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.getOutputStream().write(START);
            return s;
        }

        long reconnects() {
            return reconnects.get();
        }

        private void drip() {
            long stopAt = System.nanoTime() + Duration.ofMinutes(3).toNanos(); // stops by itself
            while (running.get() && System.nanoTime() < stopAt) {
                for (int i = 0; i < sockets.size() && running.get(); i++) {
                    Socket s = sockets.get(i);
                    try {
                        s.getOutputStream().write('X');
                        if (s.getInputStream().available() > 0) {
                            throw new IOException("answered (408)");
                        }
                    } catch (IOException cut) {
                        try {
                            s.close();
                            sockets.set(i, open());
                            reconnects.incrementAndGet();
                        } catch (IOException e) {
                            // the server is saturated: try this one again next round
                        }
                    }
                }
                try {
                    Thread.sleep(2000); // the attack's own pace, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            running.set(false);
            thread.interrupt();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
