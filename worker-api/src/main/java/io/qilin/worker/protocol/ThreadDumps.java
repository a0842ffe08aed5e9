package io.qilin.worker.protocol;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/** A full thread dump in jstack's layout; {@link ThreadInfo#toString()} cuts stacks at 8 frames. */
public final class ThreadDumps {
    private ThreadDumps() {
    }

    public static String dump() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        StringBuilder sb = new StringBuilder();
        sb.append("Full thread dump of pid ").append(ProcessHandle.current().pid())
                .append(" at ").append(Instant.now()).append(":\n");
        for (ThreadInfo ti : mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported())) {
            append(sb, ti);
        }
        long[] deadlocked = mx.findDeadlockedThreads();
        if (deadlocked != null) {
            sb.append("Deadlocked threads: ").append(java.util.Arrays.toString(deadlocked)).append('\n');
        }
        return sb.toString();
    }

    /** One thread's name, state, locks and whole stack, as in {@link #dump()}. */
    public static String describe(Thread thread) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ThreadInfo[] info = mx.getThreadInfo(new long[] {thread.getId()}, mx.isObjectMonitorUsageSupported(),
                mx.isSynchronizerUsageSupported());
        StringBuilder sb = new StringBuilder();
        if (info.length > 0 && info[0] != null) {
            append(sb, info[0]);
            return sb.toString();
        }
        // a virtual thread (JDK 21+), which the MXBean does not see
        sb.append('"').append(thread.getName()).append("\" virtual\n   java.lang.Thread.State: ").append(thread.getState())
                .append('\n');
        for (StackTraceElement e : thread.getStackTrace()) {
            sb.append("\tat ").append(e).append('\n');
        }
        return sb.toString();
    }

    /**
     * Where a worker leaves the thread dump {@code qilin ctl dump} asked for (PWR): in the master's run
     * directory for its workers. The master reads it back, then deletes it.
     */
    public static Path fileFor(Path runDir, long workerPid) {
        return runDir.resolve(workerPid + ".threads");
    }

    /** Writes {@link #dump()} to {@code file} whole: a temporary file renamed into place, so a reader never sees half. */
    public static void writeTo(Path file) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(tmp, dump(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void append(StringBuilder sb, ThreadInfo ti) {
        sb.append('"').append(ti.getThreadName()).append('"').append(" #").append(ti.getThreadId());
        if (ti.isDaemon()) {
            sb.append(" daemon");
        }
        sb.append(" prio=").append(ti.getPriority()).append('\n');
        sb.append("   java.lang.Thread.State: ").append(ti.getThreadState());
        if (ti.getLockName() != null) {
            sb.append(" on ").append(ti.getLockName());
        }
        if (ti.getLockOwnerName() != null) {
            sb.append(" owned by \"").append(ti.getLockOwnerName()).append("\" #").append(ti.getLockOwnerId());
        }
        sb.append('\n');
        StackTraceElement[] stack = ti.getStackTrace();
        MonitorInfo[] monitors = ti.getLockedMonitors();
        for (int i = 0; i < stack.length; i++) {
            sb.append("\tat ").append(stack[i]).append('\n');
            for (MonitorInfo mi : monitors) {
                if (mi.getLockedStackDepth() == i) {
                    sb.append("\t- locked ").append(mi).append('\n');
                }
            }
        }
        LockInfo[] syncs = ti.getLockedSynchronizers();
        if (syncs.length > 0) {
            sb.append("\n   Locked ownable synchronizers:\n");
            for (LockInfo li : syncs) {
                sb.append("\t- ").append(li).append('\n');
            }
        }
        sb.append('\n');
    }
}
