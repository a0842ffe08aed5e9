package io.qilin.arbiter.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qilin.arbiter.posix.LibC;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {

    @Test
    void createNewMakesExactlyTheModeWhateverTheUmask(@TempDir Path dir) throws Exception {
        int old = LibC.INSTANCE.umask(0);
        int fd = -1;
        try {
            fd = SafeFiles.createNew(dir.resolve("f"), 0600);
            assertThat(Files.getPosixFilePermissions(dir.resolve("f"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            SafeFiles.Stat st = SafeFiles.stat(fd);
            assertThat(st.regular).isTrue();
            assertThat(st.uid).isEqualTo(SafeFiles.euid());
            assertThat(st.links).isEqualTo(1);
        } finally {
            LibC.INSTANCE.umask(old);
            SafeFiles.close(fd);
        }
    }

    @Test
    void createNewNeverOpensAnExistingFileOrALink(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing"));
        assertThatThrownBy(() -> SafeFiles.createNew(target, 0600)).isInstanceOf(FileAlreadyExistsException.class)
                .hasMessage("cannot create " + target + ": it exists already");
        assertThatThrownBy(() -> SafeFiles.createNew(link, 0600)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> SafeFiles.createNew(dangling, 0600)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(dir.resolve("nothing")).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("keep");
    }

    @Test
    void openNoFollowRefusesALinkAndSaysSo(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThatThrownBy(() -> SafeFiles.openNoFollow(link, LibC.O_WRONLY))
                .hasMessage("cannot open " + link + ": it is a symbolic link");
        assertThatThrownBy(() -> SafeFiles.openNoFollow(dir.resolve("absent"), LibC.O_WRONLY))
                .isInstanceOf(NoSuchFileException.class);
        int fd = SafeFiles.openNoFollow(target, LibC.O_WRONLY);
        try {
            SafeFiles.chmod(fd, 0640, target);
            assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        } finally {
            SafeFiles.close(fd);
        }
    }
}
