package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** --statsd-host: Gunicorn's metrics over UDP, from the workers (requests) and the master (workers gauge). */
class StatsdIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void requestsAndWorkersAreReported(String kind) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[1024];
                while (!udp.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        udp.receive(p);
                        received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            reader.setDaemon(true);
            reader.start();
            try (Qilin q = Qilin.serving(kind, 1, "--statsd-host", "127.0.0.1:" + udp.getLocalPort(),
                    "--statsd-prefix", "app")) {
                assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
                await().atMost(Qilin.BOOT).until(() -> received.contains("app.requests:1|c")
                        && received.contains("app.request.status.200:1|c")
                        && received.stream().anyMatch(m -> m.matches("app\\.request\\.duration:\\d+\\|ms")));
                q.signal("TTIN");
                await().atMost(Qilin.BOOT).until(() -> received.contains("app.workers:2|g"));
                assertThat(received).contains("app.workers:1|g");
            }
        }
    }
}
