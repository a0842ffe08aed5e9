package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qilin.arbiter.control.ctl.Ctl;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol end to end in one JVM: a real control socket, a stand-in for the master's loop on a
 * thread of its own (it runs the queued commands, as the Arbiter does on WAKEUP), and the real
 * {@code qilin ctl} client.
 */
class ControlServerTest {
    /** The fake workers' pids: real processes of this user, as the dump's owner check wants. */
    static final long W1 = ProcessHandle.current().pid();
    static final long W2 = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);

    @TempDir
    Path dir;

    private FakeMaster master;
    private ControlServer server;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("m.ctl");
        master = new FakeMaster(dir);
        server = ControlServer.open(socket, master.board, master.wakeups::release);
        master.serve(server);
    }

    @AfterEach
    void stop() throws InterruptedException {
        master.close();
        server.close();
    }

    @Test
    void theSocketIsTheOwnersOnlyAndGoesAwayOnClose() throws Exception {
        assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> ControlServer.open(socket, new StatusBoard(), () -> { }))
                .hasMessageContaining("in use by another master");
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path stale = dir.resolve("stale.ctl");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));   // closed without removing: what kill -9 leaves
        }
        try (ControlServer again = ControlServer.open(stale, new StatusBoard(), () -> { })) {
            assertThat(Files.getPosixFilePermissions(stale)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path file = Files.writeString(dir.resolve("precious.txt"), "keep");
        assertThatThrownBy(() -> ControlServer.open(file, new StatusBoard(), () -> { }))
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep");
        Path link = Files.createSymbolicLink(dir.resolve("link.ctl"), dir.resolve("elsewhere.ctl"));
        assertThatThrownBy(() -> ControlServer.open(link, new StatusBoard(), () -> { }))
                .hasMessageContaining("not a socket");
        assertThat(dir.resolve("elsewhere.ctl")).doesNotExist();
    }

    @Test
    void theSocketIs0600WhateverTheUmask() throws Exception {
        Path other = dir.resolve("umask.ctl");
        int old = io.qilin.arbiter.posix.LibC.INSTANCE.umask(0);
        try (ControlServer s = ControlServer.open(other, new StatusBoard(), () -> { })) {
            assertThat(Files.getPosixFilePermissions(other)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        } finally {
            io.qilin.arbiter.posix.LibC.INSTANCE.umask(old);
        }
    }

    @Test
    void statusPrintsATableOrTheMastersJson() {
        Result table = ctl("status");
        assertThat(table.code).isZero();
        assertThat(table.out).contains("Master 100 (qilin 1.0)", "generation 1", "Listening at: http://127.0.0.1:8000")
                .contains("app=a.B", "digest ").containsPattern(W1 + " +1 +ready +")
                .contains("GET /slow HTTP/1.1 (for 1.5s)", "40M / 256M");

        Result json = ctl("status", "--json");
        assertThat(json.code).isZero();
        Map<String, Object> status = Json.parseObject(json.out.trim());
        assertThat(status).containsKeys("master", "workers", "recent_exits", "reloads").doesNotContainKey("ok");
        assertThat(((Map<?, ?>) status.get("master")).get("pid")).isEqualTo(100L);
        assertThat((List<?>) status.get("workers")).hasSize(2);
    }

    @Test
    void reloadWaitReportsProgressThenTheOutcome() {
        Result ok = ctl("reload", "--wait");
        assertThat(ok.code).as(ok.toString()).isZero();
        // progress lines in between depend on how often the session looks: see progressNamesReadyAndOldWorkers
        assertThat(ok.out).startsWith("Reloading: generation 2 is starting\n")
                .endsWith("Reload complete: generation 2 is serving (2 workers)\n");

        master.failNextReload = true;
        Result failed = ctl("reload", "--wait");
        assertThat(failed.code).as(failed.toString()).isEqualTo(Ctl.FAILED);
        assertThat(failed.err).contains("Reload failed: generation 3 could not boot");

        Result noWait = ctl("reload");
        assertThat(noWait.code).isZero();
        assertThat(noWait.out).isEqualTo("Reloading: generation 4 is starting\n");
    }

    @Test
    void progressNamesReadyAndOldWorkers() {
        MasterStatus.Worker old = new MasterStatus.Worker(1, 1, "ready", 0, 0, 0, null, 0, 0, 0, 0);
        MasterStatus.Worker fresh = new MasterStatus.Worker(2, 2, "ready", 0, 0, 0, null, 0, 0, 0, 0);
        MasterStatus.Worker booting = new MasterStatus.Worker(3, 2, "booting", 0, 0, 0, null, 0, 0, 0, 0);
        MasterStatus s = new MasterStatus(9, "1", 0, 0, 2, 1, 2, List.of(), List.of(), List.of(old, fresh, booting),
                History.EMPTY);
        assertThat(ControlSession.progressOf(s, 2)).isEqualTo("generation 2, batch 2 of 2: 1 of 2 workers ready; 1 old worker still running");
    }

    @Test
    void scaleKillReopenAndTheirErrors() {
        assertThat(ctl("scale", "+2").out).isEqualTo("Number of workers: 4\n");
        assertThat(ctl("scale", "-1").out).isEqualTo("Number of workers: 3\n");
        Result tooFew = ctl("scale", "-5");
        assertThat(tooFew.code).isEqualTo(Ctl.FAILED);
        assertThat(tooFew.err).contains("at least 1 must stay");

        assertThat(ctl("kill", Long.toString(W1)).out).contains("Worker " + W1 + " was sent TERM");
        Result noSuch = ctl("kill", "99");
        assertThat(noSuch.code).isEqualTo(Ctl.FAILED);
        assertThat(noSuch.err).contains("no worker has pid 99");

        assertThat(ctl("reopen").code).isZero();
        assertThat(master.calls).containsExactly("scale +2", "scale -1", "scale -5", "retire " + W1, "retire 99", "reopen");
    }

    @Test
    void dumpPrintsEachWorkersThreads() {
        Result r = ctl("dump");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).contains("==== worker " + W1 + " ====", "==== worker " + W2 + " ====",
                "at app.Slow.handle(Slow.java:7)");
        assertThat(dir.resolve(W1 + ".threads")).doesNotExist();   // read, then removed
        Result one = ctl("dump", Long.toString(W2));
        assertThat(one.out).contains("==== worker " + W2 + " ====").doesNotContain("worker " + W1);
    }

    @Test
    void stopReturnsOnceTheMasterHasClosedTheSocket() {
        Result r = ctl("stop", "--quick");
        assertThat(r.code).isZero();
        assertThat(r.out).isEqualTo("Stopping now (quick)\nStopped\n");
        assertThat(master.calls).containsExactly("stop quick");
    }

    @Test
    void usageErrorsAndAMissingMaster() {
        assertThat(ctl().code).isEqualTo(Ctl.USAGE);
        assertThat(ctl("frobnicate").code).isEqualTo(Ctl.USAGE);
        Result both = run("--socket", socket.toString(), "--pid", "x.pid", "status");
        assertThat(both.code).isEqualTo(Ctl.USAGE);
        assertThat(both.err).contains("give --socket or --pid, not both");
        Result gone = run("--socket", dir.resolve("nothing.ctl").toString(), "status");
        assertThat(gone.code).isEqualTo(Ctl.UNREACHABLE);
        assertThat(gone.err).startsWith("qilin: error: cannot connect to the control socket");
    }

    @Test
    void rawProtocolOneRequestPerLineOneFinalLineEach() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            ch.write(ByteBuffer.wrap(("{\"command\":\"nope\"}\nnot json\n\n{\"command\":\"kill\",\"pid\":\"x\"}\n"
                    + "{\"command\":\"scale\",\"workers\":\"3\"}\n").getBytes(StandardCharsets.UTF_8)));
            assertThat(Json.parseObject(in.readLine())).containsEntry("ok", false)
                    .containsEntry("error", "unknown command 'nope'; the commands are status, reload, scale, kill, dump, reopen, stop");
            assertThat(Json.parseObject(in.readLine())).containsEntry("ok", false);
            assertThat(Json.parseObject(in.readLine())).containsEntry("error", "'pid' must be a process id, not x");
            assertThat(Json.parseObject(in.readLine())).containsEntry("ok", true).containsEntry("workers", 3L);
        }
    }

    private Result ctl(String... args) {
        List<String> all = new ArrayList<>(List.of("--socket", socket.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(new String[0]));
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ctl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + code + "\nout: " + out + "\nerr: " + err;
        }
    }

    /** Stands in for the Arbiter: a loop thread that runs queued commands and moves a reload along, one step a pass. */
    private static final class FakeMaster implements ControlTarget {
        final StatusBoard board = new StatusBoard();
        final Semaphore wakeups = new Semaphore(0);
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Path dumps;
        volatile boolean failNextReload;
        private volatile boolean running = true;
        private volatile ControlServer server;
        private Thread loop;
        private int generation = 1;
        private int lastGeneration = 1;
        private int stable = 1;
        private int workers = 2;
        private int reloadStep;
        private boolean stopRequested;
        private History history = History.EMPTY;

        FakeMaster(Path dumps) {
            this.dumps = dumps;
            publish();
        }

        void serve(ControlServer s) {
            server = s;
            loop = new Thread(() -> {
                while (running) {
                    try {
                        wakeups.tryAcquire(20, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    server.runPending(this);
                    advance();
                    if (stopRequested) {
                        server.close();
                        return;
                    }
                }
            }, "fake-loop");
            loop.start();
        }

        void close() throws InterruptedException {
            running = false;
            loop.join();
        }

        private void advance() {
            if (generation == stable) {
                return;
            }
            if (++reloadStep < 3) {
                publish();
            } else if (failNextReload) {
                failNextReload = false;
                history = history.reloadEnded(generation, "failed", "Reload failed: generation " + generation
                        + " could not boot (App failed to load.); generation " + stable + " keeps serving", 0);
                generation = stable;
                publish();
            } else {
                stable = generation;
                history = history.reloadEnded(generation, "complete", "Reload complete: generation " + generation
                        + " is serving (2 workers)", 0);
                publish();
            }
        }

        private MasterStatus publish() {
            List<MasterStatus.Worker> ws = new ArrayList<>();
            ws.add(new MasterStatus.Worker(W1, stable, "ready", 60_000, 12, 1, "GET /slow HTTP/1.1", 1500, 300,
                    40L << 20, 256L << 20));
            ws.add(new MasterStatus.Worker(W2, stable, "ready", 60_000, 3, 0, null, 0, 200, 30L << 20, 256L << 20));
            if (generation != stable) {
                for (int i = 0; i < reloadStep; i++) {
                    ws.add(new MasterStatus.Worker(30 + i, generation, "ready", 100, 0, 0, null, 0, 100, 0, 0));
                }
            }
            return board.publish(new MasterStatus(100, "1.0", 0, 65_000, generation, stable, workers,
                    List.of("http://127.0.0.1:8000"), List.of("app = a.B", "workers = " + workers), ws, history));
        }

        @Override
        public MasterStatus refreshStatus() {
            return publish();
        }

        @Override
        public int startReload() {
            generation = ++lastGeneration;
            reloadStep = 0;
            publish();
            return generation;
        }

        @Override
        public int scale(Scale scale) {
            calls.add("scale " + scale);
            workers = scale.applyTo(workers);
            return workers;
        }

        @Override
        public void retireWorker(long pid) {
            calls.add("retire " + pid);
            if (pid != W1 && pid != W2) {
                throw new ControlException("no worker has pid " + pid);
            }
        }

        @Override
        public Map<Long, Path> requestThreadDumps(long pid) {
            Map<Long, Path> files = new LinkedHashMap<>();
            for (long p : pid == 0 ? List.of(W1, W2) : List.of(pid)) {
                Path f = dumps.resolve(p + ".threads");
                try {
                    Files.writeString(f, "\"main\" #1 prio=5\n   java.lang.Thread.State: TIMED_WAITING\n"
                            + "\tat app.Slow.handle(Slow.java:7)\n");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                files.put(p, f);
            }
            return files;
        }

        @Override
        public void reopenLogs() {
            calls.add("reopen");
        }

        @Override
        public void requestStop(boolean graceful) {
            calls.add(graceful ? "stop" : "stop quick");
            stopRequested = true;
        }
    }
}
