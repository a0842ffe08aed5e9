package io.qilin.arbiter.systemd;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's service watchdog ({@code WatchdogSec=}): when systemd set {@code WATCHDOG_USEC} for this
 * process, the master loop sends {@code WATCHDOG=1} every half interval, so a master whose loop is stuck
 * is killed and restarted by systemd. As {@code sd_watchdog_enabled(3)}: {@code WATCHDOG_PID}, when set,
 * must name this process.
 */
public final class Watchdog {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    private final long intervalNanos;
    private final Runnable ping;
    private long dueAt;
    private boolean started;

    Watchdog(long intervalNanos, Runnable ping) {
        this.intervalNanos = intervalNanos;
        this.ping = ping;
    }

    /**
     * The watchdog systemd asked of process {@code pid} (or of {@code formerPid}, the master this one
     * takes over from on an upgrade; 0 when none); off when not asked or when there is no notify socket.
     */
    public static Watchdog fromEnvironment(Map<String, String> env, long pid, long formerPid, Notifier notifier) {
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        if (usec == null || usec.isBlank() || !notifier.enabled()) {
            return off();
        }
        long micros;
        try {
            if (watchdogPid != null && !watchdogPid.isBlank()) {
                long p = Long.parseLong(watchdogPid.trim());
                if (p != pid && (formerPid == 0 || p != formerPid)) {
                    return off();   // meant for another process
                }
            }
            micros = Long.parseLong(usec.trim());
        } catch (NumberFormatException e) {
            log.warn("Ignoring systemd's watchdog: WATCHDOG_USEC={} WATCHDOG_PID={} are not numbers", usec, watchdogPid);
            return off();
        }
        if (micros <= 0) {
            return off();
        }
        log.info("systemd watchdog: WATCHDOG=1 every {} ms", micros / 2000);
        return new Watchdog(TimeUnit.MICROSECONDS.toNanos(micros) / 2, () -> notifier.notifyQuietly("WATCHDOG=1"));
    }

    static Watchdog off() {
        return new Watchdog(0, () -> { });
    }

    public boolean enabled() {
        return intervalNanos > 0;
    }

    /** Sends {@code WATCHDOG=1} if half the interval has passed since the last one (or none was sent yet). */
    public void keepAlive(long nowNanos) {
        if (!enabled() || started && nowNanos - dueAt < 0) {
            return;
        }
        ping.run();
        started = true;
        dueAt = nowNanos + intervalNanos;
    }

    /** {@code millis}, or less when the next {@code WATCHDOG=1} is due sooner. */
    public long capWait(long millis, long nowNanos) {
        if (!enabled() || !started) {
            return millis;
        }
        return Math.max(0, Math.min(millis, TimeUnit.NANOSECONDS.toMillis(dueAt - nowNanos)));
    }
}
