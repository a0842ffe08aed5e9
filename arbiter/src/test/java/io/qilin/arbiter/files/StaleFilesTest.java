package io.qilin.arbiter.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleFilesTest {
    static final long DEAD = 999_999_999L;

    @Test
    void theFilesOfDeadMastersGoThoseOfLiveOnesStay(@TempDir Path dir) throws Exception {
        long me = ProcessHandle.current().pid();
        Path live = Files.createFile(dir.resolve("qilin-" + me + ".scoreboard"));
        Path deadBoard = Files.createFile(dir.resolve("qilin-" + DEAD + ".scoreboard"));
        Path deadRun = Files.createDirectories(dir.resolve("qilin-" + DEAD + ".d/vertx-cache-1"));
        Path outside = Files.writeString(dir.resolve("keep"), "keep");
        Files.createSymbolicLink(deadRun.resolve("link"), outside);
        Path other = Files.createFile(dir.resolve("qilin-notes.txt"));
        assertThat(StaleFiles.removeFromPrivate(dir)).containsExactlyInAnyOrder(deadBoard, dir.resolve("qilin-" + DEAD + ".d"));
        assertThat(live).exists();
        assertThat(other).exists();
        assertThat(deadBoard).doesNotExist();
        assertThat(dir.resolve("qilin-" + DEAD + ".d")).doesNotExist();
        assertThat(Files.readString(outside)).isEqualTo("keep");   // a link inside is removed, never followed
    }

    @Test
    void aliveCountsAnotherUsersProcessToo() {
        assertThat(StaleFiles.alive(1)).isTrue();
        assertThat(StaleFiles.alive(DEAD)).isFalse();
    }
}
