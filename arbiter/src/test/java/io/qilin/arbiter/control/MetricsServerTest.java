package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /metrics stays answered while other clients stall: silent, half-sent, never reading, or too many. */
class MetricsServerTest {
    private static String get(InetSocketAddress at, String raw) throws IOException {
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void stalledClientsDoNotBlockTheOthers() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try (MetricsServer m = MetricsServer.start("127.0.0.1:0", new StatusBoard())) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", m.address().getPort());
            for (int i = 0; i < MetricsServer.MAX_CONNECTIONS + 10; i++) {
                Socket s = new Socket(at.getAddress(), at.getPort());
                stalled.add(s);
                if (i % 2 == 0) {
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            // no status published yet: the answer is the 503 "starting", which proves the server answered
            assertThat(get(at, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 503 ");
            assertThat(get(at, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 404 ");
            assertThat(get(at, "GET /" + "a".repeat(9000))).startsWith("HTTP/1.1 431 ");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void aSilentClientIsClosedAtTheDeadline() throws Exception {
        try (MetricsServer m = MetricsServer.start("127.0.0.1:0", new StatusBoard());
                Socket silent = new Socket("127.0.0.1", m.address().getPort())) {
            silent.setSoTimeout(5_000 * 4);
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
        }
    }
}
