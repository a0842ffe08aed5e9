package io.qilin.arbiter.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirTest {

    @Test
    void rootUsesRunQilinOthersXdgRuntimeDirThenShm() {
        Map<String, String> xdg = Map.of("XDG_RUNTIME_DIR", "/run/user/1000");
        assertThat(RuntimeDir.standard(0, xdg)).isEqualTo(Path.of("/run/qilin"));
        assertThat(RuntimeDir.standard(1000, xdg)).isEqualTo(Path.of("/run/user/1000/qilin"));
        assertThat(RuntimeDir.standard(1000, Map.of())).isEqualTo(RuntimeDir.tmpBase().resolve("qilin-1000"));
        assertThat(RuntimeDir.forWorkers("/srv/tmp", 1000, xdg)).isEqualTo(Path.of("/srv/tmp/qilin-1000"));
        assertThat(RuntimeDir.forWorkers(null, 1000, xdg)).isEqualTo(Path.of("/run/user/1000/qilin"));
    }

    @Test
    void itIsCreated0711AndALooserModeOfOursIsTightened(@TempDir Path dir) throws Exception {
        Path run = RuntimeDir.ensure(dir.resolve("qilin"));
        assertThat(Files.getPosixFilePermissions(run)).isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
        RuntimeDir.ensure(run);
        assertThat(Files.getPosixFilePermissions(run)).isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Test
    void aLinkOrAFileIsRefused(@TempDir Path dir) throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThatThrownBy(() -> RuntimeDir.ensure(link)).hasMessage("the runtime directory " + link
                + " is not safe: cannot open " + link + ": it is a symbolic link");
        Path file = Files.createFile(dir.resolve("file"));
        assertThatThrownBy(() -> RuntimeDir.ensure(file)).hasMessageContaining("is not safe");
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused(@TempDir Path dir) throws Exception {
        assumeTrue(SafeFiles.euid() == 0, "needs root to give a directory to another user");
        Path squatted = Files.createDirectory(dir.resolve("qilin"));
        Files.setAttribute(squatted, "unix:uid", 65534);
        assertThatThrownBy(() -> RuntimeDir.ensure(squatted)).hasMessageStartingWith("the runtime directory "
                + squatted + " is not safe: it belongs to uid 65534, not to uid 0");
    }
}
