package io.qilin.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.settings.SettingsLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeWatchTest {
    private static final long SECOND = CodeWatch.CHECK_NANOS;
    @TempDir
    Path dir;
    private long now = 1_000 * SECOND;

    @Test
    void reloadsOnceAChangeHasHeldStillForACheck() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/com/example"));
        Path app = Files.writeString(classes.resolve("App.class"), "v1");
        Path jar = dir.resolve("lib.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
        }
        CodeWatch watch = CodeWatch.of(settings("--reload", "--classpath", dir.resolve("classes") + ":" + jar), now);

        assertThat(poll(watch)).isNull();
        Files.writeString(app, "v2, longer");
        assertThat(poll(watch)).as("first seen: maybe still being written").isNull();
        assertThat(poll(watch)).isEqualTo(app.toString());
        assertThat(poll(watch)).as("once").isNull();

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(poll(watch)).isNull();
        Files.writeString(classes.resolve("New.class"), "new");   // the build goes on: wait for it
        assertThat(poll(watch)).isNull();
        assertThat(poll(watch)).contains(jar.toString(), "New.class");

        Files.delete(app);
        poll(watch);
        assertThat(poll(watch)).isEqualTo(app + " (removed)");
    }

    @Test
    void checksAtMostOnceASecond() throws Exception {
        Path extra = Files.writeString(dir.resolve("app.properties"), "a=1");
        CodeWatch watch = CodeWatch.of(settings("--reload", "--reload-extra-file", extra.toString()), now);
        Files.writeString(extra, "a=22");
        assertThat(watch.poll(now + SECOND / 2)).isNull();
        assertThat(watch.poll(now + SECOND)).isNull();
        assertThat(watch.poll(now + SECOND + SECOND / 2)).as("too soon after the last check").isNull();
        assertThat(watch.poll(now + 2 * SECOND)).isEqualTo(extra.toString());
    }

    @Test
    void offWithoutReload() throws Exception {
        Path extra = Files.writeString(dir.resolve("app.properties"), "a=1");
        CodeWatch watch = CodeWatch.of(settings("--reload-extra-file", extra.toString()), now);
        Files.writeString(extra, "a=22");
        assertThat(poll(watch)).isNull();
        assertThat(poll(watch)).isNull();
    }

    private String poll(CodeWatch watch) {
        now += SECOND;
        return watch.poll(now);
    }

    private static Settings settings(String... args) {
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "com.example.App";
        return new SettingsLoader(Map.of(), Path.of(".")).load(all);
    }
}
