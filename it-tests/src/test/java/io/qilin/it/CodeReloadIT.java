package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --reload: a change on --classpath, or to a --reload-extra-file, reloads as HUP does: new worker JVMs. */
class CodeReloadIT {

    @Test
    void aChangedClasspathFileOrExtraFileStartsNewWorkers(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path resource = Files.writeString(classes.resolve("app.properties"), "greeting=hello\n");
        Path extra = Files.writeString(dir.resolve("extra.conf"), "x\n");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", "--reload", "--classpath", classes.toString(),
                "--reload-extra-file", extra.toString(), "io.qilin.examples.TestApp")) {
            List<Long> first = q.awaitReadyWorkers(2);
            q.awaitLog("--reload: watching 2 files");

            Files.writeString(resource, "greeting=hello again\n");
            q.awaitLog("Reloading \\(--reload\\): changed " + java.util.regex.Pattern.quote(resource.toString()));
            q.awaitLog("Reload complete: generation 2 is serving");
            List<Long> second = q.awaitReadyWorkers(2);
            assertThat(second).doesNotContainAnyElementsOf(first);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);

            Files.setLastModifiedTime(extra, FileTime.from(Instant.now().plusSeconds(60)));
            q.awaitLog("Reload complete: generation 3 is serving");
            assertThat(q.awaitReadyWorkers(2)).doesNotContainAnyElementsOf(second);

            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            assertThat(q.log()).doesNotContain("generation 4");
        }
    }
}
