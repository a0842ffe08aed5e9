package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** USR1 after logrotate renamed the file: master and workers write to a fresh file at the original path (S12). */
class LogReopenIT {

    @Test
    void usr1ReopensTheLogInTheMasterAndEveryWorker(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("error.log");
        try (Qilin q = Qilin.serving(2, "--error-logfile", log.toString())) {
            List<Long> workers = q.workerPids();
            Path rotated = dir.resolve("error.log.1");
            Files.move(log, rotated);
            q.signal("USR1");
            await().atMost(Qilin.BOOT).until(() -> Files.exists(log)
                    && workers.stream().allMatch(w -> contains(log, "[" + w + "] [INFO] Reopened log files")));
            q.signal("TTIN");   // makes the master write a line
            await().atMost(Qilin.BOOT).until(() -> contains(log, "[" + q.pid() + "] [INFO] Handling signal: ttin"));
            assertThat(Files.readString(rotated)).contains("Handling signal: usr1")
                    .doesNotContain("Handling signal: ttin");
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
