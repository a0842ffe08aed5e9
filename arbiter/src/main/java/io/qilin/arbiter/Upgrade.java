package io.qilin.arbiter;

import io.qilin.arbiter.listen.BoundListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The USR2 upgrade, from both sides. The old master starts a new one with the same arguments and
 * the listeners at fds 3.. ({@link #reexec}); both serve until one is stopped. The new master knows
 * it is one by the {@code QILIN_UPGRADE_*} environment, names its pidfile and control socket
 * {@code .2}, and is promoted once its parent, the old master, is gone ({@link #promoteIfOrphaned}).
 * While either partner exists, unix socket files are never unlinked: the other one serves them.
 */
final class Upgrade {
    private static final Logger log = LoggerFactory.getLogger(Upgrade.class);
    /** Set by an old master for the new one: its pid. */
    static final String FROM = "QILIN_UPGRADE_FROM";
    /** How many listener fds, from 3. */
    static final String FDS = "QILIN_UPGRADE_FDS";
    /** "1" when the listeners came from systemd, so the new master never unlinks them either. */
    static final String SYSTEMD = "QILIN_UPGRADE_SYSTEMD";
    /** The first fd of the listeners handed over, as systemd does. */
    static final int FIRST_FD = 3;

    private final Map<String, String> env;
    /** The old master that started this one, until this one is promoted; 0 when none. */
    private long oldMaster;
    /** The new master this one started, while it runs; 0 when none. */
    private long newMaster;

    Upgrade(Map<String, String> env) {
        this.env = env;
        this.oldMaster = envLong(env, FROM);
    }

    /** This master was started by USR2 and has not been promoted yet. */
    boolean upgrading() {
        return oldMaster != 0;
    }

    long oldMaster() {
        return oldMaster;
    }

    long newMaster() {
        return newMaster;
    }

    /** The other master of an upgrade still runs: the sockets are not ours alone to unlink. */
    boolean partnerExists() {
        return oldMaster != 0 || newMaster != 0;
    }

    /** How many listeners the old master handed over at fds 3... */
    int inheritedFds() {
        return (int) envLong(env, FDS);
    }

    /** The old master had its listeners from systemd. */
    boolean inheritedFromSystemd() {
        return envLong(env, SYSTEMD) == 1;
    }

    /** False, saying why in the log (Gunicorn's words), while an upgrade is under way. */
    boolean mayReexec() {
        if (newMaster != 0) {
            log.warn("USR2 signal ignored. Child exists (pid:{}).", newMaster);
        } else if (oldMaster != 0) {
            log.warn("USR2 signal ignored. Parent exists (pid:{}).", oldMaster);
        }
        return !partnerExists();
    }

    /** Starts the new master: same {@code argv}, the listeners at fds 3.., this master's pid in its environment. */
    void reexec(ProcessTable processes, List<String> argv, long pid, List<BoundListener> listeners, boolean systemd) {
        Map<String, String> childEnv = new TreeMap<>(env);
        childEnv.put(FROM, Long.toString(pid));
        childEnv.put(FDS, Integer.toString(listeners.size()));
        if (systemd) {
            childEnv.put(SYSTEMD, "1");
        }
        List<Integer> fds = listeners.stream().map(BoundListener::fd).collect(Collectors.toList());
        try {
            newMaster = processes.spawnMaster(argv, childEnv, fds);
            log.info("Upgrading: started a new master (pid:{})", newMaster);
        } catch (IOException e) {
            log.error("Cannot start a new master: {}", e.getMessage());
        }
    }

    /** A reaped child: true (and forgotten) if it was the new master. */
    boolean newMasterExited(long pid) {
        if (pid != 0 && pid == newMaster) {
            newMaster = 0;
            return true;
        }
        return false;
    }

    /** True once, when the old master has gone and this one takes over. */
    boolean promoteIfOrphaned(long parentPid) {
        if (oldMaster == 0 || parentPid == oldMaster) {
            return false;
        }
        oldMaster = 0;
        return true;
    }

    private static long envLong(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            return v == null ? 0 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
