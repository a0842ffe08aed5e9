package io.qilin.arbiter.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileGuardTest {
    static final int NOBODY = 65534;

    @Test
    void aLinkIsNeitherHandedOverNorReopened(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("root-only"), "secret");
        Path log = Files.createSymbolicLink(dir.resolve("error.log"), target);
        LogFileGuard guard = new LogFileGuard();
        assertThat(guard.handOver(log, SafeFiles.euid(), -1)).isFalse();
        assertThat(guard.reopenable(log, SafeFiles.euid())).isFalse();
        assertThat(Files.readString(target)).isEqualTo("secret");
    }

    @Test
    void aSecondHardLinkIsRefused(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("root-only"), "secret");
        Path log = Files.createLink(dir.resolve("error.log"), target);
        assertThat(new LogFileGuard().handOver(log, SafeFiles.euid(), -1)).isFalse();
    }

    @Test
    void aMissingFileIsLeftToTheWorkerAndMayBeReopened(@TempDir Path dir) {
        LogFileGuard guard = new LogFileGuard();
        assertThat(guard.handOver(dir.resolve("absent.log"), SafeFiles.euid(), -1)).isTrue();
        assertThat(guard.reopenable(dir.resolve("absent.log"), SafeFiles.euid())).isTrue();
    }

    @Test
    void theMastersOwnLogIsHandedToTheWorkersUserThroughItsDescriptor(@TempDir Path dir) throws Exception {
        assumeTrue(SafeFiles.euid() == 0, "needs root to give a file to another user");
        Path log = Files.writeString(dir.resolve("error.log"), "line\n");
        LogFileGuard guard = new LogFileGuard();
        assertThat(guard.handOver(log, NOBODY, NOBODY)).isTrue();
        assertThat(Files.getAttribute(log, "unix:uid")).isEqualTo(NOBODY);
        assertThat(guard.reopenable(log, NOBODY)).isTrue();
        Path foreign = Files.writeString(dir.resolve("other.log"), "x");
        Files.setAttribute(foreign, "unix:uid", 4242);
        assertThat(guard.handOver(foreign, NOBODY, NOBODY)).isFalse();   // neither the master's nor the workers'
        assertThat(Files.getAttribute(foreign, "unix:uid")).isEqualTo(4242);
    }
}
