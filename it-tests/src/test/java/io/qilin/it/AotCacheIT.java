package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --aot-cache auto on JDK 25: from a fresh start, a training run builds the cache once the first worker
 * is ready, and the first HUP's workers map it; a master started over an existing cache maps it from its
 * first worker on, and over a damaged one boots without it. None of the JVM's lines about it reach the
 * master's output.
 */
class AotCacheIT {
    /** A training run boots a worker, warms it up, and has the JVM assemble the cache: slow on a loaded machine. */
    private static final Duration TRAINING = Duration.ofSeconds(180);
    /** What the JVM prints about AOT caches by itself (JEP 514's one-step output, its child's JAVA_TOOL_OPTIONS, -Xlog). */
    private static final List<String> JVM_CHATTER = List.of("AOTConfiguration", "AOTCache creation", "JAVA_TOOL_OPTIONS",
            "[aot]", "[cds]");

    private static final String MAP = "-XX:AOTCache=";

    @Test
    void theFirstHupsWorkersBootFromTheCacheAndARestartFromItsFirstWorker(@TempDir Path tmp) throws Exception {
        Optional<Path> jdk = Jdks.find(25);
        assumeTrue(jdk.isPresent(), Jdks.missing(25));
        Path cache;
        try (Qilin q = start(jdk.get(), tmp)) {
            cache = Path.of(q.awaitLog("AOT cache ready: (\\S+)", TRAINING).group(1));
            long first = q.awaitReadyWorkers(1).get(0);
            assertThat(cmdline(first)).doesNotContain(MAP);   // it started before the cache existed

            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            long second = q.awaitReadyWorkers(1).get(0);
            assertThat(cmdline(second)).contains(MAP + cache);
            assertThat(maps(second)).as("the cache mapped by worker %d", second).contains(cache.toString());
            assertThat(Http.get(q.port, "/pid").body.trim()).isEqualTo(Long.toString(second));

            assertThat(cache.getParent()).isEqualTo(tmp.resolve("qilin-" + uid()).resolve("aot"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.getParent()))).isEqualTo("rwx------");
            try (var files = Files.list(cache.getParent())) {
                assertThat(files).containsExactly(cache);   // the training run's output was moved, nothing left
            }
            assertNoJvmChatter(q);
        }

        try (Qilin q = start(jdk.get(), tmp)) {
            long first = q.awaitReadyWorkers(1).get(0);
            assertThat(cmdline(first)).contains(MAP + cache);
            assertThat(maps(first)).contains(cache.toString());
            assertThat(Http.get(q.port, "/pid").status).isEqualTo(200);
            assertThat(q.log()).doesNotContain("training run");
            assertNoJvmChatter(q);
        }

        // a damaged cache (cut in half, as a full disk would leave it): the JVM does not map it and boots without
        try (var channel = java.nio.channels.FileChannel.open(cache, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        try (Qilin q = start(jdk.get(), tmp)) {
            long first = q.awaitReadyWorkers(1).get(0);
            assertThat(cmdline(first)).contains(MAP + cache);
            assertThat(maps(first)).doesNotContain(cache.toString());
            assertThat(Http.get(q.port, "/pid").body.trim()).isEqualTo(Long.toString(first));
            assertNoJvmChatter(q);
        }
    }

    private static Qilin start(Path jdk, Path tmp) throws java.io.IOException {
        int port = Qilin.freePort();
        return Qilin.start(Qilin.env("JAVA_HOME", jdk.toString()), port, List.of(Qilin.HOME.resolve("bin/qilin").toString()),
                "-b", "127.0.0.1:" + port, "-k", "gthread", "--aot-cache", "auto", "--worker-tmp-dir", tmp.toString(),
                "io.qilin.examples.TestApp");
    }

    /** The master's stdout and stderr (one file): the master's own lines only, no warnings. */
    private static void assertNoJvmChatter(Qilin q) {
        String log = q.log();
        for (String chatter : JVM_CHATTER) {
            assertThat(log).as("the master's output").doesNotContain(chatter);
        }
        assertThat(log).doesNotContain("[warning]").doesNotContain("WARNING:");
    }

    private static String cmdline(long pid) throws java.io.IOException {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private static String maps(long pid) throws java.io.IOException {
        return Files.readString(Path.of("/proc/" + pid + "/maps"), StandardCharsets.UTF_8);
    }

    private static long uid() throws java.io.IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }
}
