package io.qilin.arbiter.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotCacheTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;

    @Test
    void theKeyChangesWithTheWorkersOptionsAndJarsOnly() throws Exception {
        Path jar = Files.write(dir.resolve("app.jar"), new byte[] {1, 2, 3});
        List<String> argv = List.of(JAVA, "-Xmx64m", "-cp", dir + "/*", "io.qilin.worker.WorkerMain");
        String key = AotCache.key(JAVA, argv, dir + "/*");

        assertThat(key).matches("[0-9a-f]{16}").isEqualTo(AotCache.key(JAVA, argv, dir + "/*"));
        assertThat(AotCache.key(JAVA, List.of(JAVA, "-Xmx128m", "-cp", dir + "/*", "io.qilin.worker.WorkerMain"), dir + "/*"))
                .isNotEqualTo(key);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertThat(AotCache.key(JAVA, argv, dir + "/*")).as("a deployed jar").isNotEqualTo(key);
    }

    @Test
    void noKeyWithADirectoryOfClassesOnTheClasspath() throws Exception {
        Files.createDirectory(dir.resolve("classes"));
        assertThat(AotCache.key(JAVA, List.of(JAVA), dir.resolve("classes").toString())).isNull();
    }
}
