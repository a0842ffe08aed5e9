package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --user/--group drop the workers' privileges; --umask and --chdir shape their process. */
class WorkerIdentityIT {

    @Test
    void workersRunAsTheGivenUserGroupUmaskAndDirectory(@TempDir Path dir) throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root to switch users");
        assumeTrue(Files.readString(Path.of("/etc/passwd")).contains("\nnobody:"), "needs the 'nobody' user");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("error.log");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "2", "-u", "nobody", "-g", "nogroup",
                "-m", "0027", "--chdir", dir.toString(), "--error-logfile", log.toString(), "io.qilin.examples.TestApp")) {
            List<Long> workers = q.awaitReadyWorkers(2);
            for (long w : workers) {
                String status = Files.readString(Path.of("/proc/" + w + "/status"));
                assertThat(status).containsPattern("\\nUid:\\t65534\\t65534\\t65534\\t65534\\n");
                assertThat(status).containsPattern("\\nGid:\\t65534\\t65534\\t65534\\t65534\\n");
                assertThat(status).containsPattern("\\nGroups:\\s*\\n");
                assertThat(status).contains("Umask:\t0027");
                assertThat(Path.of("/proc/" + w + "/cwd").toRealPath()).isEqualTo(dir.toRealPath());
            }
            String master = Files.readString(Path.of("/proc/" + q.pid() + "/status"));
            assertThat(master).containsPattern("\\nUid:\\t0\\t");
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            assertThat(q.log()).contains("[" + workers.get(0) + "] [INFO] Booting worker");   // the worker can write the log
        }
    }

    @Test
    void anUnknownUserIsOneLine() throws Exception {
        try (Qilin q = Qilin.start(0, "-u", "no-such-user-x", "io.qilin.examples.Hello")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log().strip()).isEqualTo("qilin: error: Invalid value for user from the command line: no-such-user-x (no such user)");
        }
    }
}
