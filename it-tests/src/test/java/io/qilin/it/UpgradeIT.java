package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** USR2 starts a new master on the same sockets; either master can then be stopped (S2, S3). */
class UpgradeIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void upgradeThenStopTheOldMasterUnderLoad(String kind, @TempDir Path dir) throws Exception {   // S2
        Path pidfile = dir.resolve("qilin.pid");
        long newPid = 0;
        try (Qilin old = Qilin.serving(kind, 2, "-p", pidfile.toString());
                LoadClient load = LoadClient.start(old.port, 8, "/pid", r -> r.status == 200)) {
            try {
                load.awaitMoreSuccesses(300);
                old.signal("USR2");
                newPid = Long.parseLong(old.awaitLog("Upgrading: started a new master \\(pid:(\\d+)\\)").group(1));
                awaitReadyWorkersOf(old, newPid, 2);
                assertThat(pid(Path.of(pidfile + ".2"))).isEqualTo(newPid);
                assertThat(pid(pidfile)).isEqualTo(old.pid());
                load.awaitMoreSuccesses(300);

                old.signal("TERM");
                assertThat(old.awaitExit(Qilin.BOOT)).isZero();
                old.awaitLog("\\[" + newPid + "\\] \\[INFO\\] Master has been promoted\\.");
                long promoted = newPid;
                await().atMost(Qilin.BOOT).until(() -> pid(pidfile) == promoted && !Files.exists(Path.of(pidfile + ".2")));
                load.awaitMoreSuccesses(300);
                load.stop();
                System.out.println("S2 " + kind + " USR2 then TERM the old master: " + load);
                assertThat(load.failed()).as(load.toString()).isZero();
                assertThat(load.successes()).isGreaterThanOrEqualTo(900);
                assertThat(Http.get(old.port, "/pid").status).isEqualTo(200);

                Qilin.signal(newPid, "TERM");
                awaitGone(newPid);
                assertThat(Files.exists(pidfile)).isFalse();
            } finally {
                killQuietly(newPid);
            }
        }
    }

    @Test
    void upgradeThenBackOut(@TempDir Path dir) throws Exception {   // S3
        Path pidfile = dir.resolve("qilin.pid");
        long newPid = 0;
        try (Qilin old = Qilin.serving(2, "-p", pidfile.toString());
                LoadClient load = LoadClient.start(old.port, 8, "/pid", r -> r.status == 200)) {
            try {
                old.signal("USR2");
                newPid = Long.parseLong(old.awaitLog("Upgrading: started a new master \\(pid:(\\d+)\\)").group(1));
                awaitReadyWorkersOf(old, newPid, 2);
                old.signal("USR2");
                old.awaitLog("USR2 signal ignored\\. Child exists \\(pid:" + newPid + "\\)\\.");

                old.signal("HUP");
                old.awaitLog("\\[" + old.pid() + "\\] \\[INFO\\] Reload complete: generation 2 is serving");
                Qilin.signal(newPid, "TERM");
                old.awaitLog("The new master \\(pid:" + newPid + "\\) exited: exit code 0");
                load.awaitMoreSuccesses(300);
                load.stop();
                System.out.println("S3 USR2 then back out: " + load);
                assertThat(load.failed()).as(load.toString()).isZero();
                assertThat(pid(pidfile)).isEqualTo(old.pid());
                assertThat(Files.exists(Path.of(pidfile + ".2"))).isFalse();
                long served = Long.parseLong(Http.get(old.port, "/pid").body.trim());
                assertThat(old.workerPids()).contains(served);
            } finally {
                killQuietly(newPid);
            }
        }
    }

    private static void awaitReadyWorkersOf(Qilin log, long masterPid, int n) {
        await().atMost(Qilin.BOOT).until(() -> log.count("\\[" + masterPid + "\\] \\[DEBUG\\] Worker \\(pid:\\d+\\) is ready") >= n);
    }

    private static long pid(Path pidfile) {
        try {
            return Files.exists(pidfile) ? Long.parseLong(Files.readString(pidfile).trim()) : 0;
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static void awaitGone(long pid) {
        await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }

    private static void killQuietly(long pid) {
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }

}
