package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** --hooks: each of Gunicorn's hooks runs, in the process Gunicorn runs it in. */
class HooksIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void everyHookRunsWhereGunicornRunsIt(String kind, @TempDir Path dir) throws Exception {
        Path record = dir.resolve("hooks.log");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(Qilin.env("HOOKS_LOG", record.toString()), port,
                List.of(Qilin.HOME.resolve("bin/qilin").toString()), "-b", "127.0.0.1:" + port, "-k", kind, "-w", "1",
                "--timeout", "17", "--classpath", Qilin.TEST_CLASSES, "--hooks", "io.qilin.it.apps.RecordingHooks",
                "io.qilin.examples.TestApp")) {
            long first = q.awaitReadyWorkers(1).get(0);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            q.signal("TTIN");
            q.awaitReadyWorkers(2);
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            String m = " " + q.pid();
            String w = " " + first;
            List<String> lines = Files.readAllLines(record);
            assertThat(lines).startsWith("on_starting" + m, "nworkers_changed 0->1" + m, "when_ready workers=1 timeout=17" + m, "pre_fork generation=1" + m);
            assertThat(lines).contains("post_fork" + w, "post_worker_init" + w, "pre_request /pid" + w,
                    "post_request /pid 200" + w, "nworkers_changed 1->2" + m, "on_reload" + m,
                    "nworkers_changed 2->1" + m, "pre_fork generation=2" + m, "worker_exit" + w,
                    "child_exit worker=" + first + m);
            assertThat(lines).endsWith("on_exit" + m);
        }
    }

    /** As Gunicorn's, whose worker_exit runs in the worker's last finally: also after worker_abort and worker_int. */
    @Test
    void workerExitRunsAlsoForAbortedWorkersAndOnInt(@TempDir Path dir) throws Exception {
        Path record = dir.resolve("hooks.log");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(Qilin.env("HOOKS_LOG", record.toString()), port,
                List.of(Qilin.HOME.resolve("bin/qilin").toString()), "-b", "127.0.0.1:" + port, "-w", "1",
                "--timeout", "2", "--classpath", Qilin.TEST_CLASSES, "--hooks", "io.qilin.it.apps.RecordingHooks",
                "io.qilin.examples.TestApp")) {
            long hung = q.awaitReadyWorkers(1).get(0);
            CompletableFuture<Void> hanging = CompletableFuture.runAsync(() -> {
                try {
                    Http.get(port, "/hang");
                } catch (java.io.IOException expected) {
                    // the worker is aborted under it
                }
            });
            q.awaitLog("Worker \\(pid:" + hung + "\\) exited with code 1\\.");
            long replacement = q.awaitReadyWorkers(1).stream().filter(p -> p != hung).findFirst().orElseThrow();
            hanging.join();
            q.signal("INT");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            List<String> lines = Files.readAllLines(record);
            assertThat(lines).containsSubsequence("worker_abort " + hung, "worker_exit " + hung);
            assertThat(lines).containsSubsequence("worker_int " + replacement, "worker_exit " + replacement);
            assertThat(lines).filteredOn(l -> l.startsWith("worker_exit")).hasSize(2);
        }
    }
}
