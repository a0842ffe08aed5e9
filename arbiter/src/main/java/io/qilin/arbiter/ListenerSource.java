package io.qilin.arbiter;

import io.qilin.arbiter.launch.WorkerLauncher;
import io.qilin.arbiter.listen.BoundListener;
import io.qilin.arbiter.listen.Listeners;
import io.qilin.arbiter.settings.Settings;
import io.qilin.arbiter.systemd.SocketActivation;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the master's listening sockets come from, and what may be done with them: bound here from
 * {@code --bind}; inherited from the old master of a USR2 upgrade; passed by systemd socket
 * activation (never unlinked, and {@code --bind} ignored); or, with {@code --reuse_port}, none at
 * all, each worker binding its own. Listeners from systemd never move on a reload.
 */
final class ListenerSource {
    enum Origin { BOUND, INHERITED, SYSTEMD, REUSE_PORT }

    private static final Logger log = LoggerFactory.getLogger(ListenerSource.class);

    private final Origin origin;
    /** The old master's own listeners came from systemd: handed on as such. */
    private final boolean systemd;
    private List<BoundListener> listeners;

    private ListenerSource(Origin origin, boolean systemd, List<BoundListener> listeners) {
        this.origin = origin;
        this.systemd = systemd;
        this.listeners = listeners;
    }

    /** Opens the listeners as this master's start calls for; the IOException's message is the user's one line. */
    static ListenerSource open(Settings settings, Upgrade upgrade, Map<String, String> env, long pid)
            throws IOException {
        int fromSystemd = SocketActivation.passedFds(env, pid);
        if (upgrade.upgrading()) {
            boolean systemd = upgrade.inheritedFromSystemd();
            return new ListenerSource(Origin.INHERITED, systemd,
                    Listeners.adopt(Upgrade.FIRST_FD, upgrade.inheritedFds(), !systemd));
        }
        if (fromSystemd > 0) {
            return new ListenerSource(Origin.SYSTEMD, true,
                    Listeners.adopt(SocketActivation.FIRST_FD, fromSystemd, false));
        }
        if (settings.get(Settings.REUSE_PORT)) {
            // each worker binds its own (WorkerLauncher); binding once here checks the addresses are free
            Listeners.bindReusePort(settings.bindAddresses(), settings.get(Settings.BACKLOG)).forEach(l -> l.close(false));
            return new ListenerSource(Origin.REUSE_PORT, false, List.of());
        }
        return new ListenerSource(Origin.BOUND, false, Listeners.bind(settings.bindAddresses(), settings.get(Settings.BACKLOG)));
    }

    Origin origin() {
        return origin;
    }

    /** The listeners came from systemd, directly or through the old master. */
    boolean systemd() {
        return systemd;
    }

    List<BoundListener> listeners() {
        return listeners;
    }

    /** For the "Listening at:" line. */
    String describe(Settings settings) {
        if (origin == Origin.REUSE_PORT) {
            return settings.bindAddresses().stream().map(a -> "http://" + a + " (reuse_port)")
                    .collect(Collectors.joining(","));
        }
        return listeners.stream().map(Object::toString).collect(Collectors.joining(","));
    }

    /**
     * Binds {@code fresh}'s addresses when they differ from {@code current}'s (a HUP after the config
     * file changed) and closes the old listeners: old workers finish what they accepted. Only
     * listeners bound here move, and not while an upgrade partner shares them. Returns why the new
     * addresses cannot be bound (the reload is then off), or null.
     */
    String rebind(Settings current, Settings fresh, boolean upgradePartner) {
        if (systemd || origin == Origin.REUSE_PORT || upgradePartner
                || fresh.bindAddresses().equals(current.bindAddresses())) {
            return null;
        }
        List<BoundListener> fresher;
        try {
            fresher = Listeners.bind(fresh.bindAddresses(), fresh.get(Settings.BACKLOG));
        } catch (IOException e) {
            return e.getMessage();
        }
        listeners.forEach(l -> l.close(true));
        listeners = fresher;
        log.info("Listening at: {} ({})", describe(fresh), ProcessHandle.current().pid());
        return null;
    }

    /** Closes the master's copies; unix socket files are removed only when {@code unlink} and ours. */
    void close(boolean unlink) {
        listeners.forEach(l -> l.close(unlink && !systemd));
        listeners = List.of();
    }
}
