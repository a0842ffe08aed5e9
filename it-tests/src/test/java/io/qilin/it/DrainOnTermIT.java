package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TERM with every worker busy and 50 connections waiting (in the listen queue, or inside a worker):
 * all 50 are answered 200 and every request already in flight finishes (#16, drain on TERM).
 */
class DrainOnTermIT {
    private static final int WORKERS = 2;
    private static final int THREADS = 2;
    private static final int WAITING = 50;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void termAnswersEveryWaitingConnection(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, WORKERS, "--threads", Integer.toString(THREADS))) {
            // sync holds one request per worker, gthread --threads per worker; vertx runs portable apps off its loops
            int busy = kind.equals("sync") ? WORKERS : WORKERS * THREADS;
            List<Socket> inFlight = new ArrayList<>();
            List<Socket> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < busy; i++) {
                    inFlight.add(send(q.port, "/sleep?s=2"));
                }
                await().atMost(Qilin.BOOT).until(() -> q.count("TestApp: /sleep\\?s=2 started") == busy);
                for (int i = 0; i < WAITING; i++) {
                    waiting.add(send(q.port, "/pid"));
                }
                q.signal("TERM");
                List<Integer> slow = statuses(inFlight);
                List<Integer> queued = statuses(waiting);
                System.out.println(kind + ": in flight " + slow + ", waiting " + queued);
                assertThat(slow).as("requests in flight at TERM").hasSize(busy).containsOnly(200);
                assertThat(queued).as("connections waiting at TERM").hasSize(WAITING).containsOnly(200);
                assertThat(q.awaitExit(Duration.ofSeconds(60))).isZero();
                assertThat(q.log()).doesNotContain("still running after");
            } finally {
                for (Socket s : inFlight) {
                    s.close();
                }
                for (Socket s : waiting) {
                    s.close();
                }
            }
        }
    }

    /** Connects and sends a GET; the answer is read later. */
    private static Socket send(int port, String path) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), Http.TIMEOUT_MILLIS);
        s.setSoTimeout(60_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    /** Each connection's status; -1 for a reset or a close without an answer. */
    private static List<Integer> statuses(List<Socket> sockets) {
        List<Integer> out = new ArrayList<>();
        for (Socket s : sockets) {
            try {
                out.add(Http.parse(s.getInputStream()).status);
            } catch (IOException e) {
                out.add(-1);
            }
        }
        return out;
    }
}
