package io.qilin.arbiter;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --shutdown-delay}: after the first TERM the master keeps serving, while /readyz already says
 * not ready, so a load balancer stops sending before the graceful stop closes the listeners (the
 * Kubernetes preStop sleep, built in). A second TERM ends the delay; an INT never waits for it.
 */
final class ShutdownDelay {
    private static final Logger log = LoggerFactory.getLogger(ShutdownDelay.class);

    private boolean running;
    private long endsAt;

    /** A TERM at {@code nowNanos}: true if the delay starts now, false if the graceful stop should start now. */
    boolean begin(int seconds, long nowNanos) {
        if (seconds <= 0 || running) {
            return false;
        }
        running = true;
        endsAt = nowNanos + TimeUnit.SECONDS.toNanos(seconds);
        log.info("Shutdown delay: serving {} s more, not ready, before the graceful stop (--shutdown-delay)", seconds);
        return true;
    }

    /** The delay started and has run out. */
    boolean over(long nowNanos) {
        return running && nowNanos - endsAt >= 0;
    }

    /** {@code millis}, or less if the delay ends sooner: the longest the loop may sleep. */
    long capWait(long millis, long nowNanos) {
        return running ? Math.max(1, Math.min(millis, TimeUnit.NANOSECONDS.toMillis(endsAt - nowNanos + 999_999))) : millis;
    }
}
