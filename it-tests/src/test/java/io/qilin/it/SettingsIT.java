package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings from a config file, QILIN_CMD_ARGS and flags, on a live server; --print-config, --check-config. */
class SettingsIT {
    private static final String QILIN = Qilin.HOME.resolve("bin/qilin").toString();

    @Test
    void flagsBeatCmdArgsWhichBeatTheConfigFile(@TempDir Path dir) throws Exception {
        int port = Qilin.freePort();
        Path conf = dir.resolve("app.properties");
        Files.writeString(conf, "bind = 127.0.0.1:" + port + "\nworkers = 1\ntimeout = 11\nmax_requests = 77\n"
                + "app = io.qilin.examples.TestApp\n");
        try (Qilin q = Qilin.start(Qilin.env("QILIN_CMD_ARGS", "-c " + conf + " --workers 2 --timeout 12"), port,
                List.of(QILIN), "--timeout", "13")) {
            q.awaitReadyWorkers(2);   // workers from QILIN_CMD_ARGS beat the file
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);   // bind and app from the file
            try (Qilin printed = Qilin.start(Qilin.env("QILIN_CMD_ARGS", "-c " + conf + " --workers 2 --timeout 12"),
                    port, List.of(QILIN), "--timeout", "13", "--print-config")) {
                assertThat(printed.awaitExit(Qilin.BOOT)).isZero();
                assertThat(printed.log().lines()).contains("workers = 2", "timeout = 13", "max_requests = 77",
                        "bind = 127.0.0.1:" + port, "app = io.qilin.examples.TestApp");
            }
        }
    }

    @Test
    void invalidValueIsOneLineAndExit1() throws Exception {
        try (Qilin q = Qilin.start(0, "--workers", "lots", "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log().strip()).isEqualTo("qilin: error: Invalid value for workers from the command line: lots (not a whole number)");
        }
    }

    @Test
    void checkConfigLoadsTheAppInAThrowawayWorker() throws Exception {
        try (Qilin ok = Qilin.start(0, "--check-config", "io.qilin.examples.Hello")) {
            assertThat(ok.awaitExit(Qilin.BOOT)).isZero();
            assertThat(ok.log()).contains("qilin: configuration OK: io.qilin.examples.Hello loads on sync");
        }
        try (Qilin bad = Qilin.start(0, "--check-config", "com.example.Nope")) {
            assertThat(bad.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(bad.log()).contains("App failed to load: application class com.example.Nope was not found")
                    .contains("qilin: error: the application did not load (worker exit code 4)");
        }
    }

    @Test
    void hupAfterTheConfigFileChangedRebindsAndAppliesIt(@TempDir Path dir) throws Exception {
        int first = Qilin.freePort();
        int second = Qilin.freePort();
        Path conf = dir.resolve("qilin.properties");
        Files.writeString(conf, "bind = 127.0.0.1:" + first + "\nworkers = 1\n");
        try (Qilin q = Qilin.start(first, "-c", conf.toString(), "io.qilin.examples.TestApp")) {
            q.awaitReadyWorkers(1);
            Files.writeString(conf, "bind = 127.0.0.1:" + second + "\nworkers = 2\n");
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving \\(2 workers\\)");
            assertThat(q.log()).contains("Listening at: http://127.0.0.1:" + second);
            assertThat(Http.get(second, "/pid").status).isEqualTo(200);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Http.get(first, "/pid"))
                    .isInstanceOf(java.net.ConnectException.class);

            Files.writeString(conf, "bind = 127.0.0.1:" + second + "\nworkers = zero\n");
            q.signal("HUP");
            q.awaitLog("Reload failed: Invalid value for workers from " + conf + ": zero");
            assertThat(Http.get(second, "/pid").status).isEqualTo(200);
        }
    }
}
