package io.qilin.it;

import static io.qilin.it.LocalAttacker.ctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qilin.it.LocalAttacker.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding a master's control socket on a machine where masters were killed with -9, and refusing
 * one that someone else serves (issue 21, control discovery; issue 22, item 6).
 */
class ControlDiscoveryIT {

    @Test
    void ctlSkipsAndRemovesTheSocketsOfKilledMastersAndListsOnlyLiveOnes() throws Exception {
        Qilin a = Qilin.serving(1);
        Path aSocket = socketOf(a);
        try (Qilin b = Qilin.serving(1); Qilin c = Qilin.serving(1)) {
            Path bSocket = socketOf(b);
            Path cSocket = socketOf(c);
            a.close();   // kill -9, master and worker: its socket stays behind
            await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(a.pid()).isEmpty());
            assertThat(aSocket).exists();

            Result several = ctl("status");
            assertThat(several.code).as(several.toString()).isEqualTo(3);
            assertThat(several.err).startsWith("qilin: error: several masters are running (")
                    .contains(bSocket.toString(), cSocket.toString()).doesNotContain(aSocket.toString());
            assertThat(several.err.lines()).hasSize(1);
            assertThat(aSocket).doesNotExist();   // skipped and removed

            c.close();
            await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(c.pid()).isEmpty());
            Result one = ctl("status");
            if (otherMasters(bSocket.getParent(), a, b, c)) {
                // another master runs on this machine (a parallel build): ours is still found, c's is not
                assertThat(one.err).as(one.toString()).contains(bSocket.toString()).doesNotContain(cSocket.toString());
            } else {
                assertThat(one.code).as(one.toString()).isZero();
                assertThat(one.out).startsWith("Master " + b.pid() + " ");
            }
            assertThat(cSocket).doesNotExist();

            b.close();
            await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(b.pid()).isEmpty());
            Result none = ctl("status");
            if (!otherMasters(bSocket.getParent(), a, b, c)) {
                assertThat(none.code).as(none.toString()).isEqualTo(3);
                assertThat(none.err).startsWith("qilin: error: no running master has a control socket in "
                        + bSocket.getParent() + "; give --socket PATH or --pid PIDFILE");
            }
            assertThat(bSocket).doesNotExist();
        } finally {
            a.close();
        }
    }

    @Test
    void aMasterRemovesWhatKilledMastersLeftBehindAtStart(@TempDir Path tmp) throws Exception {
        long uid = new com.sun.security.auth.module.UnixSystem().getUid();
        Qilin killed = Qilin.serving(1, "--worker-tmp-dir", tmp.toString());
        Path socket = socketOf(killed);
        Path scoreboard = tmp.resolve("qilin-" + uid).resolve("qilin-" + killed.pid() + ".scoreboard");
        Path runDir = tmp.resolve("qilin-" + uid).resolve("qilin-" + killed.pid() + ".d");
        killed.close();
        await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(killed.pid()).isEmpty());
        assertThat(socket).exists();
        assertThat(scoreboard).exists();
        assertThat(runDir).exists();
        try (Qilin next = Qilin.serving(1, "--worker-tmp-dir", tmp.toString())) {
            next.awaitLog("Removed \\d+ file\\(s\\) left by masters that are gone: .*" + socket.getFileName());
            next.awaitLog("Removed \\d+ file\\(s\\) left by masters that are gone: .*" + scoreboard.getFileName());
            assertThat(socket).doesNotExist();
            assertThat(scoreboard).doesNotExist();
            assertThat(runDir).doesNotExist();
        }
    }

    @Test
    void ctlRefusesASocketServedByAnotherUser(@TempDir Path dir) throws Exception {
        assumeTrue(LocalAttacker.root(), "needs root to run the squatter as another user");
        assumeTrue(LocalAttacker.nobodyExists(), "needs the 'nobody' user");
        Path socket = dir.resolve("squatted.ctl");
        Process fake = LocalAttacker.fakeMasterAsNobody(dir, socket);
        try {
            Result stop = ctl("--socket", socket.toString(), "stop");
            assertThat(stop.code).as(stop.toString()).isEqualTo(3);
            assertThat(stop.err).isEqualTo("qilin: error: refusing the control socket " + socket + ": it is served by user "
                    + "nobody, not by root (qilin ctl talks only to a master of its own user)\n");
            assertThat(stop.out).isEmpty();
            assertThat(LocalAttacker.read(dir.resolve("fake.out"))).doesNotContain("stop");   // told nothing
        } finally {
            fake.destroyForcibly().waitFor();
        }
    }

    @Test
    void aMasterDoesNotStartOnASquattedSocket(@TempDir Path dir) throws Exception {
        assumeTrue(LocalAttacker.root(), "needs root to run the squatter as another user");
        assumeTrue(LocalAttacker.nobodyExists(), "needs the 'nobody' user");
        Path socket = dir.resolve("squatted.ctl");
        Process fake = LocalAttacker.fakeMasterAsNobody(dir, socket);
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:0", "--control-socket", socket.toString(), "io.qilin.examples.TestApp")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log()).contains("[ERROR] control socket " + socket + " is in use by another master")
                    .doesNotContain("Exception", "Booting worker");
            assertThat(fake.isAlive()).isTrue();
        } finally {
            fake.destroyForcibly().waitFor();
        }
    }

    /** The socket the master logged ("Control socket: PATH"). */
    /** Whether a live master other than these has a control socket in {@code dir}. */
    private static boolean otherMasters(Path dir, Qilin... ours) throws java.io.IOException {
        java.util.Set<Long> mine = java.util.Arrays.stream(ours).map(Qilin::pid).collect(java.util.stream.Collectors.toSet());
        try (java.util.stream.Stream<Path> sockets = java.nio.file.Files.list(dir)) {
            return sockets.map(p -> p.getFileName().toString()).filter(n -> n.matches("qilin-\\d+\\.ctl"))
                    .map(n -> Long.parseLong(n.substring("qilin-".length(), n.length() - ".ctl".length())))
                    .anyMatch(pid -> !mine.contains(pid) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        }
    }

    private static Path socketOf(Qilin q) {
        return Path.of(q.awaitLog("Control socket: (\\S+)").group(1));
    }
}
