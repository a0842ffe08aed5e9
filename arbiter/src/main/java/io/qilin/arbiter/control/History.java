package io.qilin.arbiter.control;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened to workers and reloads: the last {@value #KEEP} worker exits and reload outcomes,
 * and running counts by reason and outcome. Immutable: the loop replaces its value on each event,
 * so a published {@link MasterStatus} can share it.
 *
 * @param exits the most recent worker exits, oldest first
 * @param restarts exits by reason while the master was running (not stopping)
 * @param reloads the most recent reload outcomes, oldest first
 * @param reloadOutcomes reloads by outcome since the master started
 * @param exitedRequests requests served by workers that have exited
 * @param recycles workers replaced while the master was running, by {@link #RECYCLE_CAUSES cause}
 */
public record History(List<Exit> exits, Map<String, Long> restarts, List<Reload> reloads,
        Map<String, Long> reloadOutcomes, long exitedRequests, Map<String, Long> recycles) {
    /** How many exits and reloads are remembered. */
    public static final int KEEP = 20;

    /** Why a worker is gone, as metrics label it. */
    public static final List<String> EXIT_REASONS =
            List.of("retired", "exited", "crashed", "signalled", "timeout", "boot_failure", "request_timeout");
    /** How a reload ended. {@code refused}: it could not start (the settings, a new bind). */
    public static final List<String> RELOAD_OUTCOMES = List.of("complete", "failed", "superseded", "refused");
    /**
     * Why a serving worker was replaced: it reached --max-requests, or --max-worker-memory; its heartbeat
     * stopped (--timeout); it died on its own; a request of its ran past --request-timeout.
     */
    public static final List<String> RECYCLE_CAUSES =
            List.of("max_requests", "memory", "timeout", "crash", "request_timeout");

    public static final History EMPTY = new History(List.of(), Map.of(), List.of(), Map.of(), 0, Map.of());

    /**
     * One worker's end.
     *
     * @param reason one of {@link #EXIT_REASONS}
     * @param detail how it ended: {@code exit code 70}, {@code killed by SIGKILL}
     */
    public record Exit(long pid, int generation, String reason, String detail, long atMillis) {
    }

    /**
     * One reload's end.
     *
     * @param generation the generation it started; 0 when refused
     * @param outcome one of {@link #RELOAD_OUTCOMES}
     * @param message the master's log line for it
     * @param next for {@code superseded}, the generation that replaced it
     */
    public record Reload(int generation, String outcome, String message, int next, long atMillis) {
    }

    /**
     * This history with a worker's exit added, now.
     *
     * @param restart the master is running on (not stopping), so a new worker replaces it
     * @param requests how many requests it served, for {@link #exitedRequests}
     */
    public History workerExited(long pid, int generation, String reason, String detail, boolean restart, long requests) {
        Exit exit = new Exit(pid, generation, reason, detail, System.currentTimeMillis());
        Map<String, Long> r = restart ? plusOne(restarts, reason) : restarts;
        return new History(keep(exits, exit), r, reloads, reloadOutcomes, exitedRequests + requests, recycles);
    }

    /** This history with a reload's end added, now; {@code next} only for {@code superseded}. */
    public History reloadEnded(int generation, String outcome, String message, int next) {
        Reload reload = new Reload(generation, outcome, message, next, System.currentTimeMillis());
        return new History(exits, restarts, keep(reloads, reload), plusOne(reloadOutcomes, outcome), exitedRequests,
                recycles);
    }

    /** This history with one more worker replaced for {@code cause}, one of {@link #RECYCLE_CAUSES}. */
    public History recycled(String cause) {
        return new History(exits, restarts, reloads, reloadOutcomes, exitedRequests, plusOne(recycles, cause));
    }

    /** How the reload that started {@code generation} ended; null while it runs (or long forgotten). */
    public Reload reloadOf(int generation) {
        for (int i = reloads.size() - 1; i >= 0; i--) {
            if (reloads.get(i).generation() == generation) {
                return reloads.get(i);
            }
        }
        return null;
    }

    private static <T> List<T> keep(List<T> list, T item) {
        List<T> out = new ArrayList<>(list.subList(Math.max(0, list.size() - KEEP + 1), list.size()));
        out.add(item);
        return List.copyOf(out);
    }

    private static Map<String, Long> plusOne(Map<String, Long> counts, String key) {
        Map<String, Long> out = new TreeMap<>(counts);
        out.merge(key, 1L, Long::sum);
        return Collections.unmodifiableMap(out);
    }
}
