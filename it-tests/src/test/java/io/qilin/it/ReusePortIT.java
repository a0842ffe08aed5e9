package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** --reuse-port: each worker has a socket of its own; the kernel spreads connections over them. */
class ReusePortIT {

    @Test
    void everyWorkerHasItsOwnSocketAndServes() throws Exception {
        try (Qilin q = Qilin.serving(2, "--reuse-port")) {
            List<Long> workers = q.workerPids();
            Set<String> sockets = new HashSet<>();
            for (long w : workers) {
                sockets.add(Files.readSymbolicLink(Path.of("/proc/" + w + "/fd/3")).toString());
            }
            assertThat(sockets).hasSize(2).allMatch(s -> s.startsWith("socket:"));
            Set<String> answered = new HashSet<>();
            for (int i = 0; i < 400 && answered.size() < 2; i++) {
                answered.add(Http.get(q.port, "/pid").body.trim());
            }
            assertThat(answered).hasSize(2);
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
            assertThat(q.log()).contains("(reuse_port)");
        }
    }
}
