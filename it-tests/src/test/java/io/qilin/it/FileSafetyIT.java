package io.qilin.it;

import static io.qilin.it.LocalAttacker.NOBODY;
import static io.qilin.it.LocalAttacker.asNobody;
import static io.qilin.it.LocalAttacker.awaitIn;
import static io.qilin.it.LocalAttacker.rootOnlyFile;
import static io.qilin.it.LocalAttacker.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root master with {@code --user nobody} against the app user it runs workers as (issue 22, item
 * 1): links planted where the master writes, chowns or creates never give away or change a file of
 * root's; the scoreboard is the workers' alone (0600) and never holds a query string.
 */
class FileSafetyIT {

    @Test
    void aLinkPlantedAsTheErrorOrAccessLogNeverGivesARootFileAway(@TempDir Path logs, @TempDir Path secrets)
            throws Exception {
        assumeTrue(LocalAttacker.root(), "needs root: the master must be root and the attacker nobody");
        assumeTrue(LocalAttacker.nobodyExists(), "needs the 'nobody' user");
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxrwx"));   // the app user's log directory
        Path errorTarget = rootOnlyFile(secrets, "error-target");
        Path accessTarget = rootOnlyFile(secrets, "access-target");
        String errorBefore = snapshot(errorTarget);
        String accessBefore = snapshot(accessTarget);
        Path errorLog = logs.resolve("error.log");
        Path accessLog = logs.resolve("access.log");
        int port = Qilin.freePort();
        try (Qilin q = Qilin.start(port, "-b", "127.0.0.1:" + port, "-w", "1", "-u", "nobody", "-g", "nogroup",
                "--error-logfile", errorLog.toString(), "--access-logfile", accessLog.toString(), "io.qilin.examples.TestApp")) {
            long worker = q.awaitReadyWorkers(1).get(0);
            assertThat(Http.get(port, "/pid").status).isEqualTo(200);
            assertThat(Files.getAttribute(errorLog, "unix:uid")).isEqualTo(NOBODY);   // handed over, as before

            // the app user swaps both logs for links to root's files, then gets its worker replaced
            asNobody("cd " + logs + " && mv error.log error.log.1 && ln -s " + errorTarget + " error.log"
                    + " && mv access.log access.log.1 && ln -s " + accessTarget + " access.log");
            Path masterLog = logs.resolve("error.log.1");   // the master keeps writing to the file it opened
            Qilin.signal(worker, "KILL");
            awaitIn(masterLog, "Not handing " + errorLog + " to uid 65534: cannot open " + errorLog
                    + ": it is a symbolic link");
            awaitIn(masterLog, "Not handing " + accessLog + " to uid 65534: cannot open " + accessLog
                    + ": it is a symbolic link");
            q.signal("USR1");
            awaitIn(masterLog, "Not reopening " + errorLog);

            assertThat(snapshot(errorTarget)).isEqualTo(errorBefore);
            assertThat(snapshot(accessTarget)).isEqualTo(accessBefore);
            assertThat(Files.readString(masterLog)).containsOnlyOnce("Not handing " + errorLog);   // one line, not one per respawn
        }
        assertThat(snapshot(errorTarget)).isEqualTo(errorBefore);
        assertThat(snapshot(accessTarget)).isEqualTo(accessBefore);

        // the next start of the root master would open the planted link itself: it refuses to start
        try (Qilin again = Qilin.start(port, "-b", "127.0.0.1:" + port, "-u", "nobody", "-g", "nogroup",
                "--error-logfile=" + errorLog, "--access-logfile", accessLog.toString(), "io.qilin.examples.TestApp")) {
            assertThat(again.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(again.log().strip()).isEqualTo("qilin: error: Invalid value for errorlog: cannot open " + errorLog
                    + ": it is a symbolic link (the workers' user could have put it there)");
        }
        assertThat(snapshot(errorTarget)).isEqualTo(errorBefore);
        assertThat(snapshot(accessTarget)).isEqualTo(accessBefore);
    }

    @Test
    void aRuntimeDirectoryPlantedInASharedTmpDirIsRefused(@TempDir Path shm, @TempDir Path secrets) throws Exception {
        assumeTrue(LocalAttacker.root(), "needs root: the master must be root and the attacker nobody");
        assumeTrue(LocalAttacker.nobodyExists(), "needs the 'nobody' user");
        assertThat(LocalAttacker.run(java.util.List.of("chmod", "1777", shm.toString())).code).isZero();   // as /dev/shm
        Path target = rootOnlyFile(secrets, "scoreboard-target");
        String before = snapshot(target);

        // a link where the master's directory would be: to root's own directory
        asNobody("ln -s " + secrets + " " + shm.resolve("qilin-0"));
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:0", "--worker-tmp-dir", shm.toString(), "io.qilin.examples.TestApp")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log()).contains("cannot create the scoreboard: the runtime directory " + shm.resolve("qilin-0")
                    + " is not safe: cannot open " + shm.resolve("qilin-0") + ": it is a symbolic link")
                    .doesNotContain("Exception");
        }
        try (Stream<Path> files = Files.list(secrets)) {
            assertThat(files).containsExactly(target);   // no scoreboard landed in root's directory
        }
        assertThat(snapshot(target)).isEqualTo(before);

        // a directory of its own, with a link where a scoreboard would go
        Files.delete(shm.resolve("qilin-0"));
        asNobody("mkdir -m 777 " + shm.resolve("qilin-0") + " && ln -s " + target + " " + shm.resolve("qilin-0")
                + "/qilin-1.scoreboard");
        try (Qilin q = Qilin.start(0, "-b", "127.0.0.1:0", "--worker-tmp-dir", shm.toString(), "io.qilin.examples.TestApp")) {
            assertThat(q.awaitExit(Qilin.BOOT)).isEqualTo(1);
            assertThat(q.log()).contains("the runtime directory " + shm.resolve("qilin-0")
                    + " is not safe: it belongs to uid 65534, not to uid 0");
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void theScoreboardIsTheWorkersAlone0600AndHoldsNoQueryString(@TempDir Path tmp) throws Exception {
        boolean root = LocalAttacker.root();
        int uid = (int) new com.sun.security.auth.module.UnixSystem().getUid();
        Path dir = tmp.resolve("qilin-" + uid);
        int port = Qilin.freePort();
        String[] user = root && LocalAttacker.nobodyExists() ? new String[] {"-u", "nobody"} : new String[0];
        String[] args = Stream.concat(Stream.of("-b", "127.0.0.1:" + port, "-w", "1", "--worker-tmp-dir", tmp.toString()),
                Stream.concat(Stream.of(user), Stream.of("io.qilin.examples.TestApp"))).toArray(String[]::new);
        try (Qilin q = Qilin.start(port, args)) {
            q.awaitReadyWorkers(1);
            Path scoreboard = dir.resolve("qilin-" + q.pid() + ".scoreboard");
            Path runDir = dir.resolve("qilin-" + q.pid() + ".d");
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
            assertThat(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(uid);
            assertThat(Files.isRegularFile(scoreboard, LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(Files.getPosixFilePermissions(scoreboard)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(runDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            int workers = user.length > 0 ? NOBODY : uid;
            assertThat(Files.getAttribute(scoreboard, "unix:uid")).isEqualTo(workers);
            assertThat(Files.getAttribute(runDir, "unix:uid")).isEqualTo(workers);

            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.get(port, "/sleep?s=3&token=s3cr3t");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            q.awaitLog("TestApp: /sleep\\?s=3&token=s3cr3t started");
            await().atMost(Qilin.BOOT).pollInterval(Duration.ofMillis(50)).alias("the request line in the scoreboard")
                    .until(() -> new String(Files.readAllBytes(scoreboard), StandardCharsets.ISO_8859_1)
                            .contains("GET /sleep HTTP/1.1"));
            assertThat(new String(Files.readAllBytes(scoreboard), StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t", "token");
            assertThat(slow.get().status).isEqualTo(200);

            q.signal("TERM");
            assertThat(q.awaitExit(Qilin.BOOT)).isZero();
            assertThat(scoreboard).doesNotExist();
            assertThat(runDir).doesNotExist();
        }
    }

    @Test
    void vertxKeepsItsFileCacheInTheRunDirectoryWhichGoesWithTheMaster(@TempDir Path tmp) throws Exception {
        int uid = (int) new com.sun.security.auth.module.UnixSystem().getUid();
        Path dir = tmp.resolve("qilin-" + uid);
        long killed;
        try (Qilin q = Qilin.serving("vertx", 1, "--worker-tmp-dir", tmp.toString())) {
            killed = q.pid();
            Path runDir = dir.resolve("qilin-" + q.pid() + ".d");
            try (Stream<Path> files = Files.list(runDir)) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("vertx-cache-"));
            }
        }   // kill -9 of the master and its worker: nothing cleans up
        assertThat(dir.resolve("qilin-" + killed + ".d")).exists();
        await().atMost(Qilin.BOOT).until(() -> ProcessHandle.of(killed).isEmpty());
        try (Qilin next = Qilin.serving(1, "--worker-tmp-dir", tmp.toString())) {
            next.awaitLog("Removed \\d+ file\\(s\\) left by masters that are gone: .*qilin-" + killed + "\\.d");
            assertThat(dir.resolve("qilin-" + killed + ".d")).doesNotExist();
            assertThat(dir.resolve("qilin-" + killed + ".scoreboard")).doesNotExist();
        }
    }
}
