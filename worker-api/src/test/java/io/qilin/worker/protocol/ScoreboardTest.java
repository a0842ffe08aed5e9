package io.qilin.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreboardTest {

    @Test
    void aWorkersWritesAreSeenThroughTheMastersMapping(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("board");
        try (Scoreboard master = Scoreboard.create(file, 8); Scoreboard worker = Scoreboard.open(file)) {
            master.slot(3).reset(2);
            Scoreboard.Slot mine = worker.slot(3);
            assertThat(master.slot(3).state()).isEqualTo(Scoreboard.State.BOOTING);
            assertThat(master.slot(3).generation()).isEqualTo(2);
            mine.pid(4242);
            mine.beat();
            mine.beat();
            mine.state(Scoreboard.State.READY);
            mine.requestStarted("GET /slow HTTP/1.1");
            assertThat(master.slot(3).pid()).isEqualTo(4242);
            assertThat(master.slot(3).beats()).isEqualTo(2);
            assertThat(master.slot(3).state()).isEqualTo(Scoreboard.State.READY);
            assertThat(master.slot(3).inFlight()).isEqualTo(1);
            assertThat(master.slot(3).requestLine()).isEqualTo("GET /slow HTTP/1.1");
            assertThat(master.slot(3).requestStart()).isPositive();
            mine.requestFinished();
            assertThat(master.slot(3).inFlight()).isZero();
            assertThat(master.slot(3).requestStart()).isZero();
            assertThat(master.slot(3).requests()).isEqualTo(1);
            assertThat(master.slot(2).beats()).isZero();
        }
    }

    @Test
    void theHeapAWorkerSamplesIsSeenByTheMasterAndLeavesTheRequestLineWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("board");
        try (Scoreboard master = Scoreboard.create(file, 2); Scoreboard worker = Scoreboard.open(file)) {
            master.slot(1).reset(1);
            assertThat(master.slot(1).heapMax()).isZero();
            worker.slot(1).requestStarted("GET /a HTTP/1.1");
            worker.slot(1).heap(40L << 20, 256L << 20);
            assertThat(master.slot(1).heapUsed()).isEqualTo(40L << 20);
            assertThat(master.slot(1).heapMax()).isEqualTo(256L << 20);
            assertThat(master.slot(1).requestLine()).isEqualTo("GET /a HTTP/1.1");
            assertThat(master.slot(0).heapUsed()).isZero();
            master.slot(1).reset(2);
            assertThat(master.slot(1).heapUsed()).isZero();
        }
    }

    @Test
    void aLongRequestLineIsCut(@TempDir Path dir) throws Exception {
        try (Scoreboard b = Scoreboard.create(dir.resolve("b"), 1)) {
            b.slot(0).requestStarted("GET /" + "x".repeat(1000));
            assertThat(b.slot(0).requestLine()).hasSizeLessThan(Scoreboard.SLOT_SIZE).startsWith("GET /xxx");
        }
    }

    @Test
    void theQueryStringNeverReachesTheScoreboard(@TempDir Path dir) throws Exception {
        try (Scoreboard b = Scoreboard.create(dir.resolve("b"), 1)) {
            b.slot(0).requestStarted("GET /login?token=s3cr3t&x=1 HTTP/1.1");
            assertThat(b.slot(0).requestLine()).isEqualTo("GET /login HTTP/1.1");
            b.slot(0).requestStarted("GET /a?b");
            assertThat(b.slot(0).requestLine()).isEqualTo("GET /a");
            b.slot(0).requestStarted("POST /p HTTP/1.1");
            assertThat(b.slot(0).requestLine()).isEqualTo("POST /p HTTP/1.1");
        }
    }

    @Test
    void createRefusesAnExistingFileOrALink(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThatThrownBy(() -> Scoreboard.create(link, 1)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Scoreboard.create(target, 1)).isInstanceOf(IOException.class);
        assertThat(Files.readString(target)).isEqualTo("keep");
    }
}
