package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bind form serves: TCP, IPv6, unix sockets, several at once. */
class ListenersIT {

    @Test
    void unixSocketServesAndIsRemovedOnExit(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("qilin.sock");
        try (Qilin q = Qilin.start(0, "-b", "unix:" + sock, "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            q.awaitLog("Listening at: unix:" + sock);
            Http.Response r = Http.getUnix(sock, "/");
            assertThat(r.status).isEqualTo(200);
            assertThat(r.body).isEqualTo("Hello, World!\n");
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            assertThat(Files.exists(sock)).isFalse();
        }
    }

    @Test
    void tcpAndUnixTogether(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("both.sock");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-b", "unix:" + sock, "-w", "2",
                "io.qilin.examples.TestApp")) {
            q.awaitReadyWorkers(2);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            assertThat(Http.getUnix(sock, "/pid").status).isEqualTo(200);
        }
    }
}
