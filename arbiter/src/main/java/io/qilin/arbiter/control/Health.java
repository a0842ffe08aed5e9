package io.qilin.arbiter.control;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code /livez}, {@code /readyz} and {@code /startupz} answer, judged from the {@link StatusBoard}
 * alone: a probe never waits for the loop thread and never touches the workers.
 */
public final class Health {
    /**
     * The loop publishes a status at least once a second (and during a graceful stop); a status
     * older than this means the loop is stuck.
     */
    static final long LOOP_STALE_MILLIS = 10_000;

    /** The three probes, by their path. */
    public enum Check {
        /** The master loop is turning. */
        LIVEZ("/livez"),
        /** At least one worker is ready and the master is not stopping. */
        READYZ("/readyz"),
        /** A worker has been ready once: the application loaded. */
        STARTUPZ("/startupz");

        final String path;

        Check(String path) {
            this.path = path;
        }

        /** The check served at {@code path}, or null. */
        static Check at(String path) {
            for (Check c : values()) {
                if (c.path.equals(path)) {
                    return c;
                }
            }
            return null;
        }

        String label() {
            return path.substring(1);
        }
    }

    /** One answer: {@code ok} is a 200, anything else a 503; {@code reason} says why, for a person. */
    public record Verdict(Check check, boolean ok, String reason, int workersReady, int workersWanted,
            boolean stopping, long loopAgeMillis) {

        /** {@code ok: ...} or {@code failing: ...}, one line. */
        public String text() {
            return (ok ? "ok" : "failing") + ": " + reason + "\n";
        }

        /** The JSON body's fields; {@code loop_age_ms} is -1 before the loop's first pass. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check", check.label());
            m.put("status", ok ? "ok" : "failing");
            m.put("reason", reason);
            m.put("workers_ready", workersReady);
            m.put("workers_wanted", workersWanted);
            m.put("stopping", stopping);
            m.put("loop_age_ms", loopAgeMillis);
            return m;
        }
    }

    private Health() {
    }

    /** Judges {@code check} from what the board holds at {@code nowMillis}. */
    public static Verdict check(Check check, StatusBoard board, long nowMillis) {
        MasterStatus s = board.latest();
        boolean stopping = board.stopping();
        int ready = s == null ? 0 : (int) s.workers().stream().filter(w -> w.serving()).count();
        int wanted = s == null ? 0 : s.workersWanted();
        long age = s == null ? -1 : Math.max(0, nowMillis - s.takenAtMillis());
        boolean ok;
        String reason;
        switch (check) {
            case LIVEZ:
                ok = s != null && age <= LOOP_STALE_MILLIS;
                reason = s == null ? "the master loop has not turned yet"
                        : ok ? "the master loop turned " + age + " ms ago"
                        : "the master loop has not turned for " + age + " ms";
                break;
            case READYZ:
                ok = !stopping && ready > 0;
                reason = stopping ? "the master is stopping"
                        : s == null ? "the master is starting"
                        : ready + " of " + wanted + " workers ready";
                break;
            case STARTUPZ:
                ok = board.started();
                reason = ok ? "a worker has been ready" : "no worker has been ready yet";
                break;
            default:
                throw new IllegalArgumentException(check.toString());
        }
        return new Verdict(check, ok, reason, ready, wanted, stopping, age);
    }
}
