package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A master started with HUP and INT ignored (nohup, a background job of a script) must not pass them
 * on: workers are spawned with every signal reset to its default.
 */
class SignalDispositionIT {

    @Test
    void workersDoNotInheritIgnoredSignals() throws Exception {
        int port = Qilin.freePort();
        // bypass bin/qilin (which resets them with env --default-signal) to start the JVM with them ignored
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "trap '' HUP INT; exec " + java + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
                + " -Dqilin.home=" + Qilin.HOME
                + " -cp '" + Qilin.HOME + "/lib/*' io.qilin.arbiter.Main \"$@\"";
        try (Qilin q = Qilin.start(Qilin.env(), port, List.of("sh", "-c", cmd, "qilin"),
                "-b", "127.0.0.1:" + port, "io.qilin.examples.Hello")) {
            List<Long> workers = q.awaitReadyWorkers(1);
            assertThat(sigIgn(q.pid()) & 0b11).as("the master really has HUP and INT ignored").isEqualTo(0b11);
            q.awaitLog("SIGHUP was ignored when qilin started");
            assertThat(sigIgn(workers.get(0)) & 0b11).as("SigIgn of the worker").isZero();
            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
        }
    }

    private static long sigIgn(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        }
        throw new AssertionError("no SigIgn for " + pid);
    }
}
