package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HistoryTest {

    @Test
    void keepsTheLastTwentyAndCountsThemAll() {
        History h = History.EMPTY;
        for (int i = 1; i <= 25; i++) {
            h = h.workerExited(i, 1, "crashed", "exit code 1", true, 2);
            h = h.reloadEnded(i + 1, i % 2 == 0 ? "complete" : "failed", "reload " + i, 0);
        }
        assertThat(h.exits()).hasSize(History.KEEP);
        assertThat(h.exits().get(0).pid()).isEqualTo(6);
        assertThat(h.exits().get(History.KEEP - 1).pid()).isEqualTo(25);
        assertThat(h.restarts()).containsEntry("crashed", 25L);
        assertThat(h.exitedRequests()).isEqualTo(50);
        assertThat(h.reloadOutcomes()).containsEntry("complete", 12L).containsEntry("failed", 13L);
        assertThat(h.reloadOf(26).message()).isEqualTo("reload 25");
        assertThat(h.reloadOf(2)).isNull();   // forgotten
        assertThat(History.EMPTY.exits()).isEmpty();   // values never change
    }
}
