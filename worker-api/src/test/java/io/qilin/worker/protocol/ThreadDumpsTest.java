package io.qilin.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadDumpsTest {

    @Test
    void aDumpForCtlLandsInTheRunDirectoryWholeWithEveryFrame(@TempDir Path dir) throws Exception {
        Path file = ThreadDumps.fileFor(dir, 42);
        assertThat(file).isEqualTo(dir.resolve("42.threads"));
        Files.writeString(file, "an older dump");
        ThreadDumps.writeTo(file);
        assertThat(Files.readString(file)).startsWith("Full thread dump of pid ")
                .contains("ThreadDumpsTest.aDumpForCtlLandsInTheRunDirectoryWholeWithEveryFrame");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);   // no temporary file left behind
        }
    }
}
