package io.qilin.arbiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.arbiter.FakeProcessTable.Kill;
import io.qilin.arbiter.FakeProcessTable.Script;
import io.qilin.arbiter.FakeProcessTable.Spawn;
import io.qilin.arbiter.control.History;
import io.qilin.arbiter.control.MasterStatus;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.settings.SettingsLoader;
import io.qilin.arbiter.posix.Signals;
import io.qilin.logging.LogLevels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real master loop driven through a {@link FakeProcessTable}: make-believe workers on a
 * make-believe clock, so minutes of supervision run in milliseconds. What only real processes show
 * (signals, sockets, JVM messages) is in it-tests.
 */
@Timeout(10)
class ArbiterTest {
    @TempDir
    Path dir;

    /** Minutes of a master's life in a second: its log at info or debug would be most of the time. */
    @BeforeAll
    static void quietLog() {
        LogLevels.apply("error");
    }

    @Test
    void readyWorkersThatKeepCrashingAreRestartedWithBackoffNotAStorm() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving().exitingAfter(200, 70));
        processes.signalAt(120_000, Sig.TERM);

        assertThat(run(processes, "-w", "1")).isEqualTo(MasterExitCodes.OK);

        List<Long> gaps = gaps(processes.spawns);
        // each worker lives 200 ms: without backoff two minutes would take 600 spawns
        assertThat(processes.spawns).hasSizeBetween(8, 14);
        assertThat(gaps.get(0)).isLessThan(300);                       // the first crash: replaced at once
        assertThat(gaps.subList(1, 6)).isSortedAccordingTo(Long::compare);
        assertThat(gaps.get(5) - gaps.get(4)).isGreaterThanOrEqualTo(4000);   // doubling
        assertThat(gaps.get(gaps.size() - 1)).isLessThanOrEqualTo(RestartPolicy.MAX_DELAY_MILLIS + 300);
    }

    @Test
    void aWorkerThatCannotBootAtFirstStartStopsTheMasterWithTheBootErrorCode() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.refusing(1, "Unrecognized VM option 'NoSuchOption'"));

        assertThat(run(processes, "-w", "1")).isEqualTo(MasterExitCodes.WORKER_BOOT_ERROR);

        assertThat(processes.spawns).hasSize(RestartPolicy.BOOT_ATTEMPTS);
        assertThat(gaps(processes.spawns)).allMatch(g -> g >= RestartPolicy.FIRST_DELAY_MILLIS);
        assertThat(processes.millis()).isLessThan(10_000);
        assertThat(processes.alive()).isEmpty();
    }

    @Test
    void anAppThatCannotLoadStopsTheMasterAtOnceWithExit4() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.refusing(io.qilin.worker.ExitCodes.APP_LOAD_ERROR, ""));

        assertThat(run(processes, "-w", "2")).isEqualTo(MasterExitCodes.APP_LOAD_ERROR);

        assertThat(processes.spawns).hasSize(2);
    }

    @Test
    void aGenerationThatCannotBootAtReloadIsAbandonedAndTheOldOneKeepsServing() {
        FakeProcessTable processes = new FakeProcessTable(g -> g == 1 ? Script.serving()
                : Script.refusing(1, "Invalid maximum heap size: -Xmx1q"));
        AtomicReference<List<Long>> oldWorkers = new AtomicReference<>();
        AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
        Arbiter[] master = new Arbiter[1];
        processes.at(1000, () -> oldWorkers.set(processes.alive()));
        processes.signalAt(1000, Sig.HUP);
        processes.at(30_000, () -> afterwards.set(master[0].publishStatus()));
        processes.signalAt(30_000, Sig.TERM);

        master[0] = arbiter(processes, "-w", "2");
        assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

        List<Spawn> newGeneration = processes.spawns.stream().filter(s -> s.generation() == 2).toList();
        assertThat(newGeneration).hasSizeBetween(RestartPolicy.BOOT_ATTEMPTS, RestartPolicy.BOOT_ATTEMPTS + 1);
        assertThat(newGeneration.get(newGeneration.size() - 1).atMillis()).isLessThan(5000);
        History.Reload reload = afterwards.get().history().reloadOf(2);
        assertThat(reload.outcome()).isEqualTo("failed");
        assertThat(reload.message()).isEqualTo("Reload failed: generation 2 could not boot (Worker failed to boot: "
                + "Invalid maximum heap size: -Xmx1q (exit code 1).); generation 1 keeps serving");
        assertThat(afterwards.get().generation()).isEqualTo(1);
        assertThat(afterwards.get().workers()).extracting(MasterStatus.Worker::pid)
                .containsExactlyElementsOf(oldWorkers.get());
        // the old workers were told to stop only by the final TERM
        for (long pid : oldWorkers.get()) {
            assertThat(processes.killsOf(pid)).extracting(Kill::atMillis).containsExactly(30_000L);
        }
    }

    @Test
    void aShutdownDelayKeepsTheWorkersServingAfterTermUntilItEndsAndACrashedOneIsStillReplaced() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving().exitingAfter(2500, 70));
        processes.signalAt(1000, Sig.TERM);

        assertThat(run(processes, "-w", "2", "--shutdown-delay", "3")).isEqualTo(MasterExitCodes.OK);

        // both first workers crash at 2.5 s, inside the delay: replaced, the master is still serving
        assertThat(processes.spawns).hasSize(4);
        assertThat(processes.spawns.get(2).atMillis()).isBetween(2500L, 3000L);
        assertThat(processes.kills).extracting(Kill::signal).containsOnly(Signals.TERM);
        assertThat(processes.kills).extracting(Kill::atMillis).containsOnly(4000L);
        assertThat(processes.kills).extracting(Kill::pid)
                .containsExactlyInAnyOrder(processes.spawns.get(2).pid(), processes.spawns.get(3).pid());
    }

    @Test
    void anIntDuringTheShutdownDelayStopsAtOnceAndASecondTermStartsTheGracefulStop() {
        FakeProcessTable quick = new FakeProcessTable(g -> Script.serving());
        quick.signalAt(1000, Sig.TERM);
        quick.signalAt(2000, Sig.INT);
        assertThat(run(quick, "-w", "2", "--shutdown-delay", "30")).isEqualTo(MasterExitCodes.OK);
        assertThat(quick.kills).hasSize(2).extracting(Kill::signal).containsOnly(Signals.INT);
        assertThat(quick.kills).extracting(Kill::atMillis).containsOnly(2000L);

        FakeProcessTable twice = new FakeProcessTable(g -> Script.serving());
        twice.signalAt(1000, Sig.TERM);
        twice.signalAt(1500, Sig.TERM);
        assertThat(run(twice, "-w", "2", "--shutdown-delay", "30")).isEqualTo(MasterExitCodes.OK);
        assertThat(twice.kills).hasSize(2).extracting(Kill::signal).containsOnly(Signals.TERM);
        assertThat(twice.kills).extracting(Kill::atMillis).containsOnly(1500L);
    }

    @Test
    void ttouRetiresTheOldestWorkersFirst() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving());
        processes.signalAt(1000, Sig.TTIN);
        processes.signalAt(2000, Sig.TTIN);
        processes.signalAt(3000, Sig.TTOU);
        processes.signalAt(3000, Sig.TTOU);
        processes.signalAt(3000, Sig.TTOU);
        AtomicReference<List<Long>> left = new AtomicReference<>();
        processes.at(4000, () -> left.set(processes.alive()));
        processes.signalAt(4000, Sig.TERM);

        assertThat(run(processes, "-w", "2")).isEqualTo(MasterExitCodes.OK);

        List<Long> byAge = processes.spawns.stream().map(Spawn::pid).toList();
        assertThat(byAge).hasSize(4);
        List<Long> retired = processes.kills.stream().filter(k -> k.signal() == Signals.TERM && k.atMillis() < 4000)
                .map(Kill::pid).toList();
        assertThat(retired).containsExactlyElementsOf(byAge.subList(0, 3));
        assertThat(left.get()).containsExactly(byAge.get(3));
    }

    @Test
    void aWorkerWhoseHeartbeatStopsGetsAbrtThenKillAndIsReplaced() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving().hangingAfter(1000));
        processes.signalAt(20_000, Sig.TERM);

        assertThat(run(processes, "-w", "1", "--timeout", "2")).isEqualTo(MasterExitCodes.OK);

        long hung = processes.spawns.get(0).pid();
        List<Kill> kills = processes.killsOf(hung);
        assertThat(kills).extracting(Kill::signal).startsWith(Signals.ABRT, Signals.KILL);
        assertThat(kills.get(0).atMillis()).isBetween(3000L, 4500L);           // 1 s up, then 2 s silent
        assertThat(kills.get(1).atMillis() - kills.get(0).atMillis())
                .isBetween(WorkerTimeouts.ABORT_GRACE_SECONDS * 1000L, WorkerTimeouts.ABORT_GRACE_SECONDS * 1000L + 1500);
        assertThat(processes.spawns.get(1).atMillis()).isGreaterThan(kills.get(1).atMillis());
    }

    @Test
    void aHupRacingATermStartsNoNewGeneration() {
        for (List<Sig> batch : List.of(List.of(Sig.HUP, Sig.TERM), List.of(Sig.TERM, Sig.HUP))) {
            FakeProcessTable processes = new FakeProcessTable(g -> Script.serving());
            batch.forEach(sig -> processes.signalAt(1000, sig));

            assertThat(run(processes, "-w", "2")).as(batch.toString()).isEqualTo(MasterExitCodes.OK);

            assertThat(processes.spawns).as(batch.toString()).allMatch(s -> s.generation() == 1).hasSize(2);
            assertThat(processes.kills).as(batch.toString()).extracting(Kill::signal)
                    .containsExactly(Signals.TERM, Signals.TERM);
            assertThat(processes.alive()).isEmpty();
        }
    }

    @Test
    void aTermJustAfterAHupStopsTheBootingGenerationTooAndNothingIsLeft() {
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving());
        processes.signalAt(1000, Sig.HUP);
        processes.signalAt(1001, Sig.TERM);

        assertThat(run(processes, "-w", "2")).isEqualTo(MasterExitCodes.OK);

        // the reload's first batch: one worker (a quarter of 2, at least 1)
        assertThat(processes.spawns).extracting(Spawn::generation).containsExactly(1, 1, 2);
        assertThat(processes.kills).extracting(Kill::pid)
                .containsExactlyInAnyOrderElementsOf(processes.spawns.stream().map(Spawn::pid).toList());
        assertThat(processes.alive()).isEmpty();
    }

    @Test
    void usr2StartsOneNewMasterWithTheListenersAndTheOldOneLeavesTheSocketFileOnTerm() throws Exception {
        Path socket = dir.resolve("app.sock");
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving());
        processes.signalAt(1000, Sig.USR2);
        processes.signalAt(1500, Sig.USR2);   // ignored: the new master runs
        processes.signalAt(3000, Sig.TERM);

        assertThat(run(processes, "-w", "2", "-b", "unix:" + socket)).isEqualTo(MasterExitCodes.OK);

        assertThat(processes.masterEnvs).hasSize(1);
        assertThat(processes.masterEnvs.get(0)).containsEntry(Upgrade.FROM, Long.toString(ProcessHandle.current().pid()))
                .containsEntry(Upgrade.FDS, "1");
        assertThat(processes.masterFds.get(0)).hasSize(1);
        assertThat(processes.kills).extracting(Kill::signal).containsExactly(Signals.TERM, Signals.TERM);
        assertThat(socket).exists();   // the new master serves it now

        Path alone = dir.resolve("alone.sock");
        assertThat(run(new FakeProcessTable(g -> Script.serving()).stoppedAt(1000), "-b", "unix:" + alone))
                .isEqualTo(MasterExitCodes.OK);
        assertThat(alone).doesNotExist();
    }

    @Test
    void aMasterStartedByUsr2IsPromotedWhenTheOldOneExits() throws Exception {
        long oldMaster = 4242;
        Path pidfile = dir.resolve("app.pid");
        FakeProcessTable processes = new FakeProcessTable(g -> Script.serving());
        processes.parentPid(oldMaster);
        AtomicReference<Boolean> dotTwoBefore = new AtomicReference<>();
        processes.at(1000, () -> dotTwoBefore.set(Files.exists(Path.of(pidfile + ".2")) && !Files.exists(pidfile)));
        processes.at(2000, () -> processes.parentPid(1));
        AtomicReference<String> promoted = new AtomicReference<>();
        processes.at(3000, () -> promoted.set(read(pidfile)));
        processes.signalAt(3000, Sig.TERM);
        Map<String, String> env = Map.of(Upgrade.FROM, Long.toString(oldMaster), Upgrade.FDS, "0");

        assertThat(arbiter(processes, env, "-p", pidfile.toString()).run()).isEqualTo(MasterExitCodes.OK);

        assertThat(dotTwoBefore.get()).isTrue();
        assertThat(promoted.get()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(processes.spawns).hasSize(1);
    }

    @Test
    void aReloadReplacesTheWorkersBatchByBatchEachOldOneLeavingAsANewOneIsReady() {
        for (int batch : new int[] {1, 2}) {
            FakeProcessTable processes = new FakeProcessTable(g -> Script.serving().readyAfter(400));
            processes.watchServing = 5;
            AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
            AtomicReference<Integer> minServing = new AtomicReference<>();
            Arbiter[] master = new Arbiter[1];
            processes.signalAt(2000, Sig.HUP);
            processes.at(20_000, () -> {
                afterwards.set(master[0].publishStatus());
                minServing.set(processes.minServing);
            });
            processes.signalAt(20_000, Sig.TERM);

            master[0] = arbiter(processes, "-w", "5", "--reload-batch", Integer.toString(batch));
            assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

            String as = "batch " + batch;
            assertThat(processes.maxBooting.get(2)).as(as).isEqualTo(batch);
            assertThat(minServing.get()).as(as).isEqualTo(5);
            assertThat(afterwards.get().history().reloadOf(2).outcome()).as(as).isEqualTo("complete");
            List<Spawn> fresh = processes.spawns.stream().filter(s -> s.generation() == 2).toList();
            List<FakeProcessTable.Ready> ready = processes.readies.stream().filter(r -> r.generation() == 2).toList();
            assertThat(fresh).as(as).hasSize(5);
            // each batch starts only once the one before is all ready
            for (int i = batch; i < fresh.size(); i++) {
                long startedAt = fresh.get(i).atMillis();
                int batchStart = i / batch * batch;
                assertThat(ready.subList(batchStart - batch, batchStart)).as(as)
                        .allMatch(r -> r.atMillis() <= startedAt);
            }
            // an old worker is told to leave only once as many new ones are ready
            List<Long> oldPids = processes.spawns.stream().filter(s -> s.generation() == 1).map(Spawn::pid).toList();
            List<Kill> oldTerms = processes.kills.stream().filter(k -> oldPids.contains(k.pid())).toList();
            assertThat(oldTerms).as(as).hasSize(5);
            for (int i = 0; i < oldTerms.size(); i++) {
                long at = oldTerms.get(i).atMillis();
                assertThat(ready.stream().filter(r -> r.atMillis() <= at).count()).as(as).isGreaterThanOrEqualTo(i + 1);
            }
        }
    }

    @Test
    void aGenerationThatCannotBootStopsAtItsFirstBatchAndEveryOldWorkerKeepsServing() {
        FakeProcessTable processes = new FakeProcessTable(g -> g == 1 ? Script.serving()
                : Script.refusing(1, "Error: Could not find or load main class"));
        processes.watchServing = 4;
        AtomicReference<Integer> minServing = new AtomicReference<>();
        AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
        Arbiter[] master = new Arbiter[1];
        processes.signalAt(1000, Sig.HUP);
        processes.at(30_000, () -> {
            afterwards.set(master[0].publishStatus());
            minServing.set(processes.minServing);
        });
        processes.signalAt(30_000, Sig.TERM);

        master[0] = arbiter(processes, "-w", "4", "--reload-batch", "1");
        assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

        assertThat(processes.maxBooting.get(2)).isEqualTo(1);
        assertThat(processes.spawns.stream().filter(s -> s.generation() == 2))
                .hasSizeBetween(RestartPolicy.BOOT_ATTEMPTS, RestartPolicy.BOOT_ATTEMPTS + 1);
        assertThat(afterwards.get().history().reloadOf(2).outcome()).isEqualTo("failed");
        assertThat(afterwards.get().workers()).hasSize(4).allMatch(w -> w.generation() == 1 && w.serving());
        assertThat(minServing.get()).isEqualTo(4);
        assertThat(processes.kills).allMatch(k -> k.atMillis() == 30_000L);
    }

    @Test
    void maxRequestsRecyclingStartsTheReplacementFirstAndKeepsWithinItsBudget() {
        for (int budget : new int[] {1, 2}) {
            // every worker asks to be replaced 2 s after its start: a storm, all of them at once
            FakeProcessTable processes = new FakeProcessTable(g -> Script.serving().readyAfter(500).askingForReplacementAfter(2000));
            processes.watchServing = 4;
            AtomicReference<Integer> minServing = new AtomicReference<>();
            AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
            Arbiter[] master = new Arbiter[1];
            processes.at(30_000, () -> {
                afterwards.set(master[0].publishStatus());
                minServing.set(processes.minServing);
            });
            processes.signalAt(30_000, Sig.TERM);

            master[0] = arbiter(processes, "-w", "4", "--max-requests", "100", "--max-recycling", Integer.toString(budget));
            assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

            String as = "budget " + budget;
            assertThat(minServing.get()).as(as).isEqualTo(4);
            assertThat(processes.maxAlive).as(as).isEqualTo(4 + budget);
            List<Kill> recycled = processes.kills.stream().filter(k -> k.atMillis() < 30_000).toList();
            assertThat(recycled).as(as).hasSizeGreaterThan(8).allMatch(k -> k.signal() == Signals.TERM);
            // each TERM follows the readiness of a worker started after the recycled one
            for (Kill k : recycled) {
                long spawnedAt = processes.spawns.stream().filter(s -> s.pid() == k.pid()).findFirst().orElseThrow().atMillis();
                assertThat(processes.readies).as(as).anyMatch(r -> r.pid() > k.pid() && r.atMillis() <= k.atMillis()
                        && processes.spawns.stream().anyMatch(s -> s.pid() == r.pid() && s.atMillis() > spawnedAt));
            }
            // the last may be marked, its replacement booting, when the test looks
            assertThat(afterwards.get().history().recycles().get("max_requests")).as(as)
                    .isBetween((long) recycled.size(), (long) recycled.size() + budget);
            assertThat(afterwards.get().history().restarts()).as(as).containsEntry("retired", (long) recycled.size());
        }
    }

    @Test
    void aWorkerWhoseMemoryStaysOverTheLimitIsRecycledAndOneOnlyOnceOverIsNot() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        FakeProcessTable processes = new FakeProcessTable(g -> n.getAndIncrement() == 0
                ? Script.serving().using(300L << 20) : Script.serving().using(100L << 20));
        processes.watchServing = 2;
        AtomicReference<Integer> minServing = new AtomicReference<>();
        AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
        Arbiter[] master = new Arbiter[1];
        processes.at(20_000, () -> {
            afterwards.set(master[0].publishStatus());
            minServing.set(processes.minServing);
        });
        processes.signalAt(20_000, Sig.TERM);

        master[0] = arbiter(processes, "-w", "2", "--max-worker-memory", "200m");
        assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

        long heavy = processes.spawns.get(0).pid();
        List<Kill> early = processes.kills.stream().filter(k -> k.atMillis() < 20_000).toList();
        assertThat(early).extracting(Kill::pid).containsExactly(heavy);
        long readyAt = processes.readies.get(0).atMillis();
        assertThat(early.get(0).atMillis() - readyAt).isGreaterThanOrEqualTo((Recycler.MEMORY_CHECKS - 1) * 1000L);
        assertThat(processes.spawns).hasSize(3);
        assertThat(processes.spawns.get(2).atMillis()).isLessThan(early.get(0).atMillis());
        assertThat(minServing.get()).isEqualTo(2);
        assertThat(afterwards.get().history().recycles()).containsEntry("memory", 1L);
    }

    @Test
    void crashesAndTimeoutsAreCountedAsRecyclesByCause() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        FakeProcessTable processes = new FakeProcessTable(g -> switch (n.getAndIncrement()) {
            case 0 -> Script.serving().exitingAfter(1000, io.qilin.worker.ExitCodes.CRASHED);
            case 1 -> Script.serving().exitingAfter(2000, io.qilin.worker.ExitCodes.REQUEST_TIMEOUT);
            case 2 -> Script.serving().hangingAfter(1000);
            default -> Script.serving();
        });
        AtomicReference<MasterStatus> afterwards = new AtomicReference<>();
        Arbiter[] master = new Arbiter[1];
        processes.at(30_000, () -> afterwards.set(master[0].publishStatus()));
        processes.signalAt(30_000, Sig.TERM);

        master[0] = arbiter(processes, "-w", "3", "--timeout", "2");
        assertThat(master[0].run()).isEqualTo(MasterExitCodes.OK);

        assertThat(afterwards.get().history().recycles()).containsEntry("crash", 1L)
                .containsEntry("request_timeout", 1L).containsEntry("timeout", 1L).doesNotContainKey("max_requests");
        assertThat(afterwards.get().workers()).hasSize(3);
    }

    private int run(FakeProcessTable processes, String... args) {
        return arbiter(processes, args).run();
    }

    private Arbiter arbiter(FakeProcessTable processes, String... args) {
        return arbiter(processes, Map.of(), args);
    }

    private Arbiter arbiter(FakeProcessTable processes, Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("--worker-tmp-dir", dir.toString(),
                "--control-socket", dir.resolve("ctl-" + System.nanoTime()).toString(), "--graceful-timeout", "5"));
        if (!Arrays.asList(args).contains("-b")) {
            all.addAll(List.of("-b", "127.0.0.1:0"));
        }
        all.addAll(Arrays.asList(args));
        all.add("io.qilin.examples.Hello");
        String[] argv = all.toArray(new String[0]);
        SettingsLoader loader = new SettingsLoader(Map.of(), dir);
        Settings settings = loader.load(argv);
        return new Arbiter(settings, () -> loader.load(argv), List.of(argv), "test", env, processes);
    }

    /** Milliseconds between consecutive spawns. */
    private static List<Long> gaps(List<Spawn> spawns) {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < spawns.size(); i++) {
            out.add(spawns.get(i).atMillis() - spawns.get(i - 1).atMillis());
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (java.io.IOException e) {
            return "missing: " + e;
        }
    }
}
