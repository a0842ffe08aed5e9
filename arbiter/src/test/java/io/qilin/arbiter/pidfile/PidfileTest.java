package io.qilin.arbiter.pidfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gunicorn's tests/test_pidfile.py, translated. */
class PidfileTest {

    @Test
    void refusesALiveProcessesPidfile(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("app.pid");
        long live = ProcessHandle.current().pid();
        Files.writeString(p, live + "\n");
        assertThatThrownBy(() -> Pidfile.create(p, 12345678))
                .hasMessage("Already running on PID " + live + " (or pid file '" + p + "' is stale)");
    }

    @Test
    void replacesAStalePidfileAndUnlinksOnlyItsOwn(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("app.pid");
        Files.writeString(p, "999999999\n");
        Pidfile mine = Pidfile.create(p, 4321);
        assertThat(Pidfile.read(p)).isEqualTo(4321);
        Files.writeString(p, "1234\n");   // somebody else's now
        mine.unlink();
        assertThat(Files.exists(p)).isTrue();
        Files.writeString(p, "4321\n");
        mine.unlink();
        assertThat(Files.exists(p)).isFalse();
    }

    @Test
    void renameMovesItForPromotion(@TempDir Path dir) throws Exception {
        Pidfile two = Pidfile.create(dir.resolve("app.pid.2"), 77);
        Pidfile one = two.renameTo(dir.resolve("app.pid"));
        assertThat(Files.exists(dir.resolve("app.pid.2"))).isFalse();
        assertThat(Pidfile.read(one.path())).isEqualTo(77);
    }

    @Test
    void garbageReadsAsNoPid(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("x.pid");
        Files.writeString(p, "not a pid");
        assertThat(Pidfile.read(p)).isZero();
        assertThat(Pidfile.read(dir.resolve("absent"))).isZero();
    }

    @Test
    void aLinkAtThePidfilePathIsReplacedNeverFollowed(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("root-only"), "secret\n");
        Path p = Files.createSymbolicLink(dir.resolve("app.pid"), target);
        assertThat(Pidfile.read(p)).isZero();   // not read through the link either
        Pidfile.create(p, 4321);
        assertThat(Files.readString(target)).isEqualTo("secret\n");
        assertThat(Files.isSymbolicLink(p)).isFalse();
        assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(p, target);   // no temporary file left
        }
    }
}
