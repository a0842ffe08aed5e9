package io.qilin.worker.gthread;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.protocol.Scoreboard;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heartbeat and request counters, read from a scoreboard slot as the master reads them. */
class HeartbeatTest {
    @TempDir
    Path dir;
    private Scoreboard scoreboard;
    private Scoreboard.Slot slot;

    @BeforeEach
    void openScoreboard() throws Exception {
        scoreboard = Scoreboard.create(dir.resolve("scoreboard"), 1);
        slot = scoreboard.slot(0);
    }

    @AfterEach
    void closeScoreboard() throws Exception {
        TestApp.release.countDown();
        NativeApp.release.countDown();
        scoreboard.close();
    }

    @Test
    void beatsAndCountsRequests() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of(), slot); RawHttpClient client = w.connect()) {
            long before = slot.beats();
            RunningWorker.awaitCondition(() -> slot.beats() >= before + 2);
            for (int i = 0; i < 3; i++) {
                assertThat(client.get("/").status()).isEqualTo(200);
            }
            RunningWorker.awaitCondition(() -> slot.requests() == 3 && slot.inFlight() == 0);
        }
    }

    @Test
    void keepsBeatingWhileATaskThreadIsBusy() throws Exception {
        TestApp.release = new CountDownLatch(1);
        try (RunningWorker w = RunningWorker.start(Map.of("THREADS", 1), slot); RawHttpClient client = w.connect()) {
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            RunningWorker.awaitCondition(() -> TestApp.SLEEPING.get() == 1);
            long held = slot.beats();
            RunningWorker.awaitCondition(() -> slot.beats() >= held + 2);
            assertThat(slot.inFlight()).isEqualTo(1);
            assertThat(slot.requestLine()).isEqualTo("GET /hold HTTP/1.1");
            TestApp.release.countDown();
            assertThat(client.read().status()).isEqualTo(200);
        }
    }

    @Test
    void stopsBeatingWhileAnIoThreadIsStuck() throws Exception {
        NativeApp.release = new CountDownLatch(1);
        try (RunningWorker w = RunningWorker.start(Map.of("APP", NativeApp.class.getName()), slot);
                RawHttpClient client = w.connect()) {
            client.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            RunningWorker.awaitCondition(() -> NativeApp.HOLDING.get() == 1);
            long stuck = slot.beats();
            // A negative check needs a wait: three beat periods. One beat already on its way may land.
            Thread.sleep(1500);
            assertThat(slot.beats()).isLessThanOrEqualTo(stuck + 1);
            NativeApp.release.countDown();
            assertThat(client.read().status()).isEqualTo(200);
            RunningWorker.awaitCondition(() -> slot.beats() >= stuck + 3);
        }
    }

}
