package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPathsTest {

    @Test
    void theSettingThenThePidfileThenXdgRuntimeDirThenTmp(@TempDir Path dir) {
        Path pidfile = dir.resolve("app.pid");
        Map<String, String> xdg = Map.of("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        assertThat(ControlPaths.of(dir.resolve("c.sock").toString(), pidfile, 7, xdg)).isEqualTo(dir.resolve("c.sock"));
        assertThat(ControlPaths.of(null, pidfile, 7, xdg)).isEqualTo(dir.resolve("app.pid.ctl"));
        assertThat(ControlPaths.of(null, null, 7, xdg)).isEqualTo(dir.resolve("run/qilin-7.ctl"));
        assertThat(ControlPaths.of(null, null, 7, Map.of()))
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("qilin-7.ctl"));
        assertThat(ControlPaths.candidates(pidfile, 7, xdg)).startsWith(dir.resolve("app.pid.ctl"), dir.resolve("run/qilin-7.ctl"));
    }

    @Test
    void runningMastersAreSocketsNamedAfterALiveProcess(@TempDir Path dir) throws Exception {
        long me = ProcessHandle.current().pid();
        Files.createFile(dir.resolve("qilin-" + me + ".ctl"));
        Files.createFile(dir.resolve("qilin-999999999.ctl"));   // no such process
        Files.createFile(dir.resolve("other.ctl"));
        assertThat(ControlPaths.running(Map.of("XDG_RUNTIME_DIR", dir.toString())))
                .contains(dir.resolve("qilin-" + me + ".ctl")).doesNotContain(dir.resolve("qilin-999999999.ctl"))
                .doesNotContain(dir.resolve("other.ctl"));
    }
}
