package io.qilin.arbiter.control;

import io.qilin.arbiter.files.RuntimeDir;
import io.qilin.arbiter.files.SafeFiles;
import io.qilin.arbiter.files.StaleFiles;
import io.qilin.arbiter.settings.Settings;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the master holds of this package: the control socket and, with {@code --metrics-bind} and
 * {@code --health-bind}, the metrics and health endpoints, all reading the {@link StatusBoard} the
 * loop publishes.
 */
public final class ControlPlane implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    private final ControlServer socket;
    private final MetricsServer metrics;
    private final HealthServer health;
    private final Path home;

    private ControlPlane(ControlServer socket, MetricsServer metrics, HealthServer health, Path home) {
        this.socket = socket;
        this.metrics = metrics;
        this.health = health;
        this.home = home;
    }

    /**
     * Opens them as the settings say. The socket must open: a master that {@code qilin ctl} cannot
     * reach, or that a squatter could stand in for, does not start. The default one is in the master's
     * private runtime directory, where the sockets of masters that are gone are removed first.
     *
     * @param upgrading a master started by USR2 while the old one still serves: its socket gets a
     *     {@code .2} suffix, as its pidfile, until {@link #promoted()}
     * @param wakeup wakes the loop, which then calls {@link #runPending}
     * @throws IOException with one line for the user when the master should not start
     */
    public static ControlPlane open(Settings settings, long pid, boolean upgrading, Map<String, String> env,
            StatusBoard board, Runnable wakeup) throws IOException {
        String explicit = settings.get(Settings.CONTROL_SOCKET);
        Path runtimeDir = RuntimeDir.standard(SafeFiles.euid(), env);
        if (ControlPaths.isDefault(explicit, settings.pidfile())) {
            RuntimeDir.ensure(runtimeDir);
            List<Path> stale = StaleFiles.removeFromPrivate(runtimeDir);
            if (!stale.isEmpty()) {
                log.info("Removed {} file(s) left by masters that are gone: {}", stale.size(), stale);
            }
        }
        Path home = ControlPaths.of(explicit, settings.pidfile(), pid, runtimeDir);
        ControlServer socket = ControlServer.open(upgrading ? Path.of(home + ".2") : home, board, wakeup);
        log.info("Control socket: {}", socket.path());
        MetricsServer metrics = null;
        String metricsBind = settings.get(Settings.METRICS_BIND);
        if (metricsBind != null) {
            try {
                metrics = MetricsServer.start(metricsBind, board);
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            log.info("Metrics at: http://{}/metrics", metricsBind);
        }
        HealthServer health = null;
        String healthBind = settings.get(Settings.HEALTH_BIND);
        if (healthBind != null) {
            try {
                health = HealthServer.start(healthBind, board);
            } catch (IOException e) {
                new ControlPlane(socket, metrics, null, home).close();
                throw e;
            }
            InetSocketAddress a = health.address();
            log.info("Health checks at: http://{}:{}/livez, /readyz, /startupz",
                    a.getAddress() instanceof Inet6Address ? "[" + a.getHostString() + "]" : a.getHostString(), a.getPort());
        }
        return new ControlPlane(socket, metrics, health, home);
    }

    /** Runs the commands the control socket queued; only the loop thread calls this. */
    public void runPending(ControlTarget target) {
        socket.runPending(target);
    }

    /** An upgraded master took over: its socket moves to the usual path (the old master removed its own). */
    public void promoted() {
        if (!socket.path().equals(home)) {
            try {
                socket.renameTo(home);
                log.info("Control socket: {}", home);
            } catch (IOException e) {
                log.error("Cannot move the control socket to {}: {}", home, e.getMessage());
            }
        }
    }

    /** Closes all and removes the socket file; sessions still open (a waiting {@code ctl stop}) end. */
    @Override
    public void close() {
        socket.close();
        if (metrics != null) {
            metrics.close();
        }
        if (health != null) {
            health.close();
        }
    }
}
