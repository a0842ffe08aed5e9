package io.qilin.arbiter.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchdogTest {
    private static final Notifier NOTIFY = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/nonexistent/notify"));
    private final AtomicInteger pings = new AtomicInteger();

    @Test
    void pingsAtOnceThenEveryHalfInterval() {
        Watchdog w = new Watchdog(TimeUnit.MILLISECONDS.toNanos(250), pings::incrementAndGet);
        long t = 1_000_000_000L;
        w.keepAlive(t);
        assertThat(pings).hasValue(1);
        assertThat(w.capWait(1000, t)).isEqualTo(250);
        w.keepAlive(t + ms(100));
        assertThat(pings).hasValue(1);
        assertThat(w.capWait(1000, t + ms(100))).isEqualTo(150);
        assertThat(w.capWait(100, t + ms(100))).isEqualTo(100);
        w.keepAlive(t + ms(250));
        assertThat(pings).hasValue(2);
        assertThat(w.capWait(1000, t + ms(600))).isZero();
    }

    @Test
    void followsWatchdogUsecAndPid() {
        assertThat(enabled(Map.of("WATCHDOG_USEC", "500000"), 42, 0)).isTrue();
        assertThat(enabled(Map.of("WATCHDOG_USEC", "500000", "WATCHDOG_PID", "42"), 42, 0)).isTrue();
        assertThat(enabled(Map.of("WATCHDOG_USEC", "500000", "WATCHDOG_PID", "7"), 42, 0)).isFalse();
        assertThat(enabled(Map.of("WATCHDOG_USEC", "500000", "WATCHDOG_PID", "7"), 42, 7)).as("an upgrade's new master").isTrue();
        assertThat(enabled(Map.of("WATCHDOG_USEC", "0"), 42, 0)).isFalse();
        assertThat(enabled(Map.of("WATCHDOG_USEC", "soon"), 42, 0)).isFalse();
        assertThat(enabled(Map.of(), 42, 0)).isFalse();
        assertThat(Watchdog.fromEnvironment(Map.of("WATCHDOG_USEC", "500000"), 42, 0, Notifier.fromEnvironment(Map.of()))
                .enabled()).as("no NOTIFY_SOCKET").isFalse();
    }

    @Test
    void anOffWatchdogNeverShortensTheWait() {
        Watchdog w = Watchdog.off();
        w.keepAlive(0);
        assertThat(w.capWait(1000, 0)).isEqualTo(1000);
    }

    @Test
    void aDeadNotifySocketIsNotFatal() {
        Watchdog w = Watchdog.fromEnvironment(Map.of("WATCHDOG_USEC", "500000"), 42, 0, NOTIFY);
        w.keepAlive(0);
        w.keepAlive(TimeUnit.SECONDS.toNanos(1));   // warned once, then quiet; the loop goes on
        assertThat(w.enabled()).isTrue();
    }

    private static boolean enabled(Map<String, String> env, long pid, long formerPid) {
        return Watchdog.fromEnvironment(env, pid, formerPid, NOTIFY).enabled();
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
