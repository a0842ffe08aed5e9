package io.qilin.arbiter;

import io.qilin.arbiter.launch.WorkerLauncher;
import io.qilin.arbiter.files.MasterFiles;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.posix.Processes;
import io.qilin.arbiter.posix.Signals;
import io.qilin.arbiter.posix.Spawner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** The {@link ProcessTable} of a real master: worker JVMs by {@link WorkerLauncher}, libc for the rest. */
final class RealProcessTable implements ProcessTable {
    private static final Logger log = LoggerFactory.getLogger(RealProcessTable.class);
    /** The line of /proc/self/status with the mask of ignored signals, in hex. */
    private static final String SIG_IGN = "SigIgn:";
    private static final int HEX = 16;

    private final long masterPid;
    private final int parentWatchFd;
    private WorkerLauncher launcher;
    private final Spawner spawner = new Spawner();
    private final Map<Long, BootOutput> outputs = new HashMap<>();

    /** The parent-watch pipe is made here: its write end lives as long as this master. */
    RealProcessTable(long masterPid) {
        this.masterPid = masterPid;
        this.parentWatchFd = Processes.parentWatchPipe()[0];
    }

    @Override
    public void filesCreated(MasterFiles files) {
        launcher = new WorkerLauncher(masterPid, parentWatchFd, files);
    }

    @Override
    public long spawnWorker(Settings settings, List<BoundListener> listeners, int generation, int slot,
            long maxRequests) throws IOException {
        BootOutput output = BootOutput.open(System.err);
        long pid;
        try {
            pid = launcher.spawn(settings, listeners, generation, slot, maxRequests, output.writeFd());
        } catch (IOException | RuntimeException e) {
            output.discard();
            throw e;
        }
        output.spawned(pid);
        outputs.put(pid, output);
        return pid;
    }

    @Override
    public void workerReady(long pid) {
        BootOutput output = outputs.get(pid);
        if (output != null) {
            output.ready();
        }
        launcher.workerReady();
    }

    @Override
    public String workerGone(long pid) {
        BootOutput output = outputs.remove(pid);
        return output == null ? "" : output.summary();
    }

    /** Reads VmRSS from procfs without following links: a worker cannot point the master elsewhere. */
    @Override
    public long residentBytes(long pid) {
        try (var in = java.nio.channels.Channels.newInputStream(Files.newByteChannel(Path.of("/proc", Long.toString(pid), "status"),
                java.util.Set.of(java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS)))) {
            for (String line : new String(in.readNBytes(16_384), java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Cannot read the memory of worker (pid:{}): {}", pid, e.toString());
        }
        return -1;
    }

    @Override
    public long spawnMaster(List<String> argv, Map<String, String> env, List<Integer> fds) throws IOException {
        return spawner.spawn(argv, env, fds);
    }

    @Override
    public boolean kill(long pid, int signal) {
        return Processes.kill(pid, signal);
    }

    @Override
    public Processes.Exit reap() {
        Processes.Exit exit = Processes.reapOne();
        while (exit != null && launcher != null && launcher.reaped(exit)) {   // the AOT cache's training run
            exit = Processes.reapOne();
        }
        return exit;
    }

    @Override
    public long parentPid() {
        return Processes.parentPid();
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public List<Sig> awaitSignals(BlockingQueue<Sig> queue, long millis) {
        List<Sig> out = new ArrayList<>();
        Sig first;
        try {
            first = queue.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(Sig.TERM);
        }
        if (first != null) {
            out.add(first);
            queue.drainTo(out);
        }
        return out;
    }

    @Override
    public void trapSignals(Consumer<Sig> onSignal) {
        warnIgnoredSignals();
        for (Sig s : Sig.values()) {
            if (s.isSignal()) {
                Signal.handle(new Signal(s.name()), x -> onSignal.accept(s));
            }
        }
    }

    /** A signal ignored when the JVM started cannot be handled: say so, and how to avoid it. */
    private static void warnIgnoredSignals() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(SIG_IGN)) {
                    long mask = Long.parseUnsignedLong(line.substring(SIG_IGN.length()).trim(), HEX);
                    for (Sig s : Sig.values()) {
                        int n = Signals.number(s.name());
                        if (n > 0 && (mask & (1L << (n - 1))) != 0) {
                            log.warn("SIG{} was ignored when qilin started (nohup, or a background job of a script), "
                                    + "so the master cannot handle it; start qilin with bin/qilin, or through "
                                    + "'env --default-signal'", s.name());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cannot read /proc/self/status: {}", e.toString());
        }
    }
}
