package io.qilin.worker.vertx;

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
import org.junit.jupiter.api.Test;

/** vertx against slow, greedy and non-reading clients: the header, body and write deadlines and the body limit. */
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

    private static RunningWorker start(String... settings) throws IOException {
        return RunningWorker.start(b -> {
            b.set("APP", PortableApp.class.getName()).set("KEEP_ALIVE", 0);
            for (int i = 0; i < settings.length; i += 2) {
                b.set(settings[i], settings[i + 1]);
            }
            return b;
        });
    }

    @Test
    void aBodyOverTheLimitGets413ByLengthOrWhileItStreams() throws Exception {
        try (RunningWorker w = start("LIMIT_REQUEST_BODY", "1000")) {
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n"))
                    .startsWith("HTTP/1.1 413 ");
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n"
                    + "a".repeat(1000) + "\r\n1\r\nb\r\n0\r\n\r\n")).startsWith("HTTP/1.1 413 ");
            assertThat(exchange(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(1000)))
                    .startsWith("HTTP/1.1 200 ").endsWith("a".repeat(1000));
        }
    }

    @Test
    void aHeadThatNeverEndsIsClosedAtTheHeaderTimeout() throws Exception {
        try (RunningWorker w = start("HEADER_TIMEOUT", "1");
                Socket slow = open(w.port, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")) {
            assertThat(slow.getInputStream().read()).isEqualTo(-1);
            assertThat(exchange(w.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aBodyThatPausesIsClosedAtTheBodyTimeout() throws Exception {
        try (RunningWorker w = start("BODY_TIMEOUT", "1");
                Socket slow = open(w.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")) {
            assertThat(slow.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatNeverReadsIsCutAtTheWriteTimeout() throws Exception {
        try (RunningWorker w = start("WRITE_TIMEOUT", "1");
                Socket greedy = notReading(w.port, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")) {
            assertThat(exchange(w.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ");
            InputStream in = greedy.getInputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            int cutBefore = PortableApp.BIG_CUT.get();
            // the client reads only once the worker has given up on it
            await().atMost(Duration.ofSeconds(30)).until(() -> PortableApp.BIG_CUT.get() > cutBefore);
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
}
