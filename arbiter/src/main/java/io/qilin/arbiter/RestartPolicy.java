package io.qilin.arbiter;

import java.util.concurrent.TimeUnit;

/**
 * When the master may start workers again after some died: exponential backoff, so a worker that
 * cannot boot or keeps crashing is retried every 0.5, 1, 2 ... up to 30 s instead of hundreds of
 * times a second. Two streaks: boot failures (any death before ready) and crashes of ready workers
 * that had not been up for {@link #STABLE_UPTIME_NANOS}. The first crash of a streak is replaced at once.
 */
final class RestartPolicy {
    static final long FIRST_DELAY_MILLIS = 500;
    static final long MAX_DELAY_MILLIS = 30_000;
    /**
     * Boot failures in a row after which a generation that never was up is given up: at first start
     * the master exits, at reload the new generation is abandoned. A worker that says why it cannot
     * boot (exit 4 or 5), runs out of memory booting (3) or times out is given up on at once.
     */
    static final int BOOT_ATTEMPTS = 3;
    /** A ready worker up this long has proved the generation works: its crash starts a new streak. */
    static final long STABLE_UPTIME_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_DOUBLINGS = 16;

    private int bootFailures;
    private int crashes;
    private long nextSpawnAt;
    private boolean delayed;

    /** False while a backoff delay runs. */
    boolean maySpawn(long now) {
        return !delayed || now - nextSpawnAt >= 0;
    }

    /** A worker died before it was ready; returns how many did in a row. Delays the next spawn. */
    int bootFailed(long now) {
        bootFailures++;
        delay(now, bootFailures);
        return bootFailures;
    }

    /** A worker of the current generation became ready: boot failures stop counting. */
    void booted() {
        bootFailures = 0;
    }

    /** A ready worker died on its own after {@code uptimeNanos}; returns the delay before it is replaced, in ms. */
    long crashed(long now, long uptimeNanos) {
        crashes = uptimeNanos >= STABLE_UPTIME_NANOS ? 1 : crashes + 1;
        if (crashes == 1) {
            return 0;
        }
        return delay(now, crashes - 1);
    }

    /** A new generation starts: nothing it does is held against it yet. */
    void reset() {
        bootFailures = 0;
        crashes = 0;
        delayed = false;
    }

    /** The delay after the n-th failure in a row, in ms: 0.5 s doubling, capped. */
    static long delayMillis(int failures) {
        return Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(failures - 1, MAX_DOUBLINGS));
    }

    private long delay(long now, int failures) {
        long millis = delayMillis(failures);
        nextSpawnAt = now + TimeUnit.MILLISECONDS.toNanos(millis);
        delayed = true;
        return millis;
    }
}
