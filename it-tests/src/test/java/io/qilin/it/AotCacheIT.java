package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --aot-cache auto on JDK 25: the first worker records, the master assembles, later workers map the cache. */
class AotCacheIT {

    @Test
    void laterWorkersBootFromTheCacheTheFirstOneTrained(@TempDir Path tmp) throws Exception {
        Optional<Path> jdk25 = Jdks.find(25);
        assumeTrue(jdk25.isPresent(), Jdks.missing(25));
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(Qilin.env("JAVA_HOME", jdk25.get().toString()), port,
                List.of(Qilin.HOME.resolve("bin/qilin").toString()), "-b", "127.0.0.1:" + port, "-k", "gthread",
                "--aot-cache", "auto", "--worker-tmp-dir", tmp.toString(), "io.qilin.examples.TestApp")) {
            long trainer = q.awaitReadyWorkers(1).get(0);
            q.awaitLog("Worker \\(pid:" + trainer + "\\) records classes for the AOT cache");
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            q.signal("HUP");   // the trainer leaves, and writes what it recorded as it exits
            q.awaitLog("Reload complete: generation 2 is serving");
            await().atMost(Qilin.BOOT).until(() -> files(tmp, ".aotconf") == 1);
            q.signal("TTIN");   // the next spawn starts the assembly
            q.awaitLog("Assembling the AOT cache");
            await().atMost(Qilin.BOOT).until(() -> files(tmp, ".aot") == 1);

            q.signal("HUP");
            q.awaitLog("Reload complete: generation 3 is serving");
            List<Long> workers = q.awaitReadyWorkers(1);
            String cmdline = Files.readString(Path.of("/proc/" + workers.get(0) + "/cmdline"), StandardCharsets.UTF_8);
            assertThat(cmdline).contains("-XX:AOTCache=" + tmp);
            assertThat(Http.get(port, "/pid").body.trim()).isEqualTo(Long.toString(workers.get(0)));
            assertThat(q.log()).doesNotContain("[warning]").doesNotContain("WARNING:");
        }
    }

    private static long files(Path dir, String suffix) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
        }
    }
}
