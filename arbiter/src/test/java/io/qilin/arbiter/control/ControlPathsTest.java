package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPathsTest {

    @Test
    void theSettingThenThePidfileThenTheRuntimeDirectory(@TempDir Path dir) {
        Path pidfile = dir.resolve("app.pid");
        Path run = dir.resolve("run");
        assertThat(ControlPaths.of(dir.resolve("c.sock").toString(), pidfile, 7, run)).isEqualTo(dir.resolve("c.sock"));
        assertThat(ControlPaths.of(null, pidfile, 7, run)).isEqualTo(dir.resolve("app.pid.ctl"));
        assertThat(ControlPaths.of(null, null, 7, run)).isEqualTo(run.resolve("qilin-7.ctl"));
        assertThat(ControlPaths.isDefault(null, null)).isTrue();
        assertThat(ControlPaths.isDefault(null, pidfile)).isFalse();
        assertThat(ControlPaths.candidates(pidfile, 7, run)).containsExactly(dir.resolve("app.pid.ctl"), run.resolve("qilin-7.ctl"));
    }

    @Test
    void runningListsTheSocketsAMasterAnswersOnAndRemovesTheDeadOnes(@TempDir Path dir) throws Exception {
        Path live = dir.resolve("qilin-101.ctl");
        Path dead = dir.resolve("qilin-999999999.ctl");
        Path notASocket = Files.createFile(dir.resolve("qilin-102.ctl"));
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(dead));   // closed without removing: what kill -9 leaves
        }
        try (ServerSocketChannel master = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            master.bind(UnixDomainSocketAddress.of(live));
            assertThat(ControlPaths.probe(dead)).isEqualTo(ControlPaths.Probe.STALE);
            assertThat(ControlPaths.running(dir)).containsExactly(live);
        }
        assertThat(dead).doesNotExist();
        assertThat(notASocket).exists();   // not a socket: never removed
    }
}
