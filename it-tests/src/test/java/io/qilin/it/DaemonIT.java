package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -D detaches the master; WINCH then stops every worker and keeps the sockets, and HUP brings them back. */
class DaemonIT {

    @Test
    void daemonDetachesAndHonoursWinch(@TempDir Path dir) throws Exception {
        Path pidfile = dir.resolve("d.pid");
        Path log = dir.resolve("d.log");
        int port = Qilin.freePort();
        long master = 0;
        try (Qilin launcher = Qilin.start(port, "-D", "-b", "127.0.0.1:" + port, "-w", "2", "-p", pidfile.toString(),
                "--error-logfile", log.toString(), "io.qilin.examples.TestApp")) {
            assertThat(launcher.awaitExit(Qilin.BOOT)).isZero();   // the launching process returns once the workers are ready
            await().atMost(Qilin.BOOT).until(() -> Files.exists(pidfile) && !Files.readString(pidfile).isBlank());
            master = Long.parseLong(Files.readString(pidfile).trim());
            assertThat(master).isNotEqualTo(launcher.pid());
            long m = master;
            assertThat(Files.readString(log).split("is ready", -1).length - 1).isEqualTo(2);   // -D waited for them
            assertThat(ProcessHandle.of(master).flatMap(p -> p.info().command()).isPresent()).isTrue();
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            Qilin.signal(master, "WINCH");
            await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(m).map(p -> p.children().count()).orElse(0L) == 0);
            assertThat(Files.readString(log)).contains("graceful stop of workers");

            Qilin.signal(master, "HUP");
            await().atMost(Qilin.BOOT).until(() -> Files.readString(log).contains("Reload complete: generation 2 is serving (2 workers)"));
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            Qilin.signal(master, "TERM");
            await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(m).map(p -> !p.isAlive()).orElse(true));
            assertThat(Files.exists(pidfile)).isFalse();
        } finally {
            if (master > 0) {
                ProcessHandle.of(master).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
        }
    }
}
