package io.qilin.worker.gthread;

import static io.qilin.tck.client.RawClient.ascii;
import static io.qilin.tck.client.RawClient.notReading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qilin.tck.client.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** gthread against slow, greedy and non-reading clients: Undertow's deadlines and the body limit. */
class SlowClientsTest {
    private static Socket open(int port, String sent) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    private static String exchange(int port, String raw) throws IOException {
        return RawClient.exchange(port, ascii(raw));
    }

    @Test
    void aBodyOverTheLimitGets413ByLengthOrWhileItStreams() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("LIMIT_REQUEST_BODY", 1000, "KEEP_ALIVE", 0))) {
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"))
                    .startsWith("HTTP/1.1 413 ");
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n"
                    + "a".repeat(1000) + "\r\n1\r\nb\r\n0\r\n\r\n")).startsWith("HTTP/1.1 413 ");
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(1000)))
                    .startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aHeadThatTricklesIsCutAtTheHeaderTimeout() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("HEADER_TIMEOUT", 1, "KEEP_ALIVE", 30));
                Socket slow = open(w.port, "GET / HTTP/1.1\r\nHost: x\r\n")) {
            byte[] b = {'X'};
            int sent = 0;
            try {
                // a byte every 200 ms: never idle for NO_REQUEST_TIMEOUT, but the head never ends
                while (sent < 200) {
                    slow.getOutputStream().write(b);
                    sent++;
                    Thread.sleep(200);
                    if (slow.getInputStream().available() > 0) {
                        break;
                    }
                }
            } catch (IOException cut) {
                // the worker closed the connection
            }
            assertThat(sent).as("bytes sent before the cut").isLessThan(200);
        }
    }

    @Test
    void aClientThatNeverReadsFreesTheOnlyThreadAfterTheWriteTimeout() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("THREADS", 1, "WRITE_TIMEOUT", 1, "KEEP_ALIVE", 0));
                Socket greedy = notReading(w.port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
            InputStream in = greedy.getInputStream();
            // the only thread must be writing /big before the next request comes, or that one is served first
            // and the client below reads /big at leisure (CI saw exactly that on a slow run)
            await().atMost(Duration.ofSeconds(30)).until(() -> in.available() > 0);
            assertThat(exchange(w.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ");
            byte[] buf = new byte[65536];
            long total = 0;
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                }
            } catch (IOException reset) {
                // cut
            }
            assertThat(total).isLessThan(16L << 20);
        }
    }

    @Test
    void aLongRequestIsNotCutByTheBodyTimeout() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("BODY_TIMEOUT", 1, "KEEP_ALIVE", 0))) {
            assertThat(exchange(w.port, "GET /sleep?s=2.5 HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ")
                    .endsWith("slept\n");
        }
    }
}
