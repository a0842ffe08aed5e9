package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reloads, scaling and recycling under load lose no request (S1, S11). */
class ReloadUnderLoadIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void hupTtinTtouUnderLoadLoseNothingAndKill9LosesAtMostTheAcceptedRequests(String kind) throws Exception {   // S1
        try (Qilin q = Qilin.serving(kind, 2); LoadClient load = LoadClient.start(q.port, 8, "/pid", r -> r.status == 200)) {
            load.awaitMoreSuccesses(300);
            for (int generation = 2; generation <= 4; generation++) {
                q.signal("HUP");
                q.awaitLog("Reload complete: generation " + generation + " is serving");
                load.awaitMoreSuccesses(300);
            }
            q.signal("TTIN");
            q.awaitReadyWorkers(3);
            load.awaitMoreSuccesses(300);
            q.signal("TTOU");
            await().atMost(Qilin.BOOT).until(() -> q.workerPids().size() == 2);
            load.awaitMoreSuccesses(300);
            load.stop();
            System.out.println("S1 " + kind + " HUP x3, TTIN, TTOU: " + load);
            assertThat(load.successes()).isGreaterThanOrEqualTo(3000);
            assertThat(load.failed()).as(load.toString()).isZero();

            try (LoadClient afterKill = LoadClient.start(q.port, 8, "/pid", r -> r.status == 200)) {
                afterKill.awaitMoreSuccesses(200);
                List<Long> workers = q.workerPids();
                Qilin.signal(workers.get(0), "KILL");
                q.awaitLog("Worker \\(pid:" + workers.get(0) + "\\) was sent SIGKILL");
                q.awaitReadyWorkers(2);
                afterKill.awaitMoreSuccesses(300);
                afterKill.stop();
                System.out.println("S1 " + kind + " kill -9 of one worker: " + afterKill);
                // a sync worker holds at most the one connection it accepted; others at most every client's one
                assertThat(afterKill.failed()).as(afterKill.toString()).isLessThanOrEqualTo(kind.equals("sync") ? 1 : 8);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void maxRequestsRecyclesWorkersWithoutLosingRequests(String kind) throws Exception {   // S11
        try (Qilin q = Qilin.serving(kind, 2, "--max-requests", "50", "--max-requests-jitter", "10");
                LoadClient load = LoadClient.start(q.port, 8, "/pid", r -> r.status == 200)) {
            await().atMost(java.time.Duration.ofMinutes(3)).until(() -> q.count("Recycling worker \\(pid") >= 6 && load.successes() >= 300);
            load.stop();
            System.out.println("S11 " + kind + " max-requests: " + load + ", recycled " + q.count("Recycling worker \\(pid"));
            assertThat(load.failed()).as(load.toString()).isZero();
            assertThat(load.successes()).isGreaterThanOrEqualTo(300);
            q.awaitReadyWorkers(2);
        }
    }
}
