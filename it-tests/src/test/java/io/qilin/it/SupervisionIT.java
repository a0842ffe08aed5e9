package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The master keeps its workers alive: crashes, scaling (S5, S13); timeouts are in HeartbeatTimeoutIT. */
class SupervisionIT {

    @Test
    void twoWorkersShareOnePort() throws Exception {
        try (Qilin q = Qilin.serving(2)) {
            List<Long> workers = q.workerPids();
            // a sync worker accepts only when idle, so two concurrent slow requests land on both workers
            CompletableFuture<Http.Response> a = CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=1"));
            CompletableFuture<Http.Response> b = CompletableFuture.supplyAsync(() -> get(q.port, "/sleep?s=1"));
            Set<Long> answered = new HashSet<>();
            for (Http.Response r : List.of(a.get(), b.get())) {
                assertThat(r.status).isEqualTo(200);
                answered.add(Long.parseLong(r.body.trim()));
            }
            assertThat(answered).containsExactlyInAnyOrderElementsOf(workers);
        }
    }


    @Test
    void crashedAndKilledWorkersAreReplacedAndTheLogSaysWhy() throws Exception {   // S5
        try (Qilin q = Qilin.serving(2)) {
            try {
                Http.get(q.port, "/boom");
            } catch (java.io.IOException expected) {
                // the worker died mid-request
            }
            long boomed = Long.parseLong(q.awaitLog("\\[(\\d+)\\] \\[DEBUG\\] Handling GET /boom").group(1));
            q.awaitLog("Worker \\(pid:" + boomed + "\\) exited with code 70\\.");
            List<Long> after = q.awaitReadyWorkers(2);
            assertThat(after).doesNotContain(boomed);

            long killed = after.get(0);
            Qilin.signal(killed, "KILL");
            q.awaitLog("Worker \\(pid:" + killed + "\\) was sent SIGKILL! Perhaps out of memory\\?");
            assertThat(q.awaitReadyWorkers(2)).doesNotContain(killed);
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
        }
    }

    @Test
    void aWorkerOutOfMemoryExitsAndIsReplaced() throws Exception {
        try (Qilin q = Qilin.serving(1, "--worker-jvm-opts", "-Xmx48m")) {
            long leaking = q.workerPids().get(0);
            await().atMost(Qilin.BOOT).until(() -> {
                try {
                    return Http.get(q.port, "/leak?mb=8").status != 200;
                } catch (java.io.IOException e) {
                    return true; // the worker exited mid-request
                }
            });
            q.awaitLog("Worker \\(pid:" + leaking + "\\) exited with code 3: out of memory\\.");
            assertThat(q.awaitReadyWorkers(1)).doesNotContain(leaking);
            assertThat(Http.get(q.port, "/leak?mb=1").body).isEqualTo("1 MiB leaked\n");
        }
    }

    @Test
    void ttinAndTtouScaleAndRetireTheOldestFirst() throws Exception {   // S13
        try (Qilin q = Qilin.serving(2)) {
            List<Long> original = q.workerPids();
            q.signal("TTIN");
            q.awaitReadyWorkers(3);
            q.signal("TTIN");
            List<Long> four = q.awaitReadyWorkers(4);
            assertThat(four).containsAll(original);

            q.signal("TTOU");
            q.signal("TTOU");
            q.signal("TTOU");
            await().atMost(Qilin.BOOT).until(() -> q.workerPids().size() == 1);
            long survivor = q.workerPids().get(0);
            List<Long> readyOrder = q.readyPids();
            // the newest worker stays: both originals and the first added one were retired
            assertThat(survivor).isEqualTo(newest(readyOrder, four));
            assertThat(q.log()).contains("Number of workers: 2 -> 1");
            assertThat(Http.get(q.port, "/pid").body.trim()).isEqualTo(Long.toString(survivor));
        }
    }

    private static long newest(List<Long> readyOrder, List<Long> among) {
        long newest = -1;
        for (long pid : readyOrder) {
            if (among.contains(pid)) {
                newest = pid;
            }
        }
        return newest;
    }

    private static Http.Response get(int port, String path) {
        try {
            return Http.get(port, path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
