package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --capture-output and --log-config. */
class LogSettingsIT {

    @Test
    void captureOutputSendsStdoutAndStderrOfMasterAndWorkersToTheErrorLog(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("error.log");
        try (Qilin q = Qilin.serving(1, "--error-logfile", log.toString(), "--capture-output")) {
            assertThat(Http.get(q.port, "/sleep?s=0").status).isEqualTo(200);
            // System.err of the worker's application
            await().atMost(Qilin.BOOT).until(() -> Files.readString(log).contains("TestApp: /sleep?s=0 started in pid"));
            q.signal("QUIT");   // HotSpot prints the master's thread dump on its stdout
            await().atMost(Qilin.BOOT).until(() -> Files.readString(log).contains("Full thread dump"));
            assertThat(q.isAlive()).isTrue();
        }
    }

    @Test
    void logConfigReplacesTheDistributionsLogback(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("logback.xml");
        Files.writeString(conf, "<configuration>\n"
                + "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
                + "    <target>System.err</target>\n"
                + "    <encoder><pattern>CUSTOM %level %msg%n</pattern></encoder>\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>\n"
                + "</configuration>\n");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "--log-config", conf.toString(),
                "io.qilin.examples.Hello")) {
            q.awaitReadyWorkers(1);
            q.awaitLog("CUSTOM INFO Starting qilin");
            q.awaitLog("CUSTOM INFO Booting worker with pid");
        }
    }
}
