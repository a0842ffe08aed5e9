package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** --log-syslog: the master's and the workers' log, and the access log, reach a syslog server over UDP, as Gunicorn's. */
class SyslogIT {
    private DatagramSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private Thread receiver;

    @BeforeEach
    void listen() throws Exception {
        server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        receiver = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    server.receive(p);
                } catch (java.io.IOException closed) {
                    return;
                }
                received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
            }
        }, "syslog-server");
        receiver.start();
    }

    @AfterEach
    void close() throws InterruptedException {
        server.close();
        receiver.join(10_000);
    }

    @Test
    void theLogAndTheAccessLogReachSyslogWithGunicornsPriorityAndTag() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "1", "--log-syslog", "--log-syslog-to",
                "udp://127.0.0.1:" + server.getLocalPort(), "--log-syslog-prefix", "myapp", "--log-syslog-facility", "local1",
                "io.qilin.examples.TestApp")) {
            long worker = q.awaitReadyWorkers(1).get(0);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            // local1 is 17; info is 6: 17 * 8 + 6
            String master = "<142>qilin.myapp.error: [" + q.pid() + "] ";
            await().atMost(Qilin.BOOT).until(() -> received.contains(master + "Using worker: sync"));
            await().atMost(Qilin.BOOT).until(() -> received.contains("<142>qilin.myapp.error: [" + worker + "] Booting worker with pid: " + worker));
            await().atMost(Qilin.BOOT).until(() -> received.stream()
                    .anyMatch(l -> l.startsWith("<142>qilin.myapp.access: [" + worker + "] ") && l.contains("GET /pid")));
            assertThat(received).anyMatch(l -> l.startsWith("<143>qilin.myapp.error: [")).as("--log-level debug: <143>");
            assertThat(q.log()).contains("Using worker: sync");   // stderr keeps its log too
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
        }
    }

    @Test
    void aBadAddressIsOneClearError() throws Exception {
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "--log-syslog", "--log-syslog-to", "localhost:514",
                "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log()).contains("qilin: error: Invalid value for syslog_addr from the command line: localhost:514 (expected udp://HOST:PORT")
                    .doesNotContain("Exception");
        }
    }
}
