package io.qilin.arbiter.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The master as the loop saw it at {@code takenAtMillis}: what {@code qilin ctl status} prints and the
 * metrics report. Immutable; the loop publishes a new one each pass ({@link StatusBoard}).
 *
 * @param generation the generation being served, or booting during a reload
 * @param stableGeneration the newest generation that was fully up; differs from {@code generation} during a reload
 * @param workersWanted how many workers the master keeps
 * @param listeners as the "Listening at" log line names them
 * @param settings the settings' {@code name = value} lines ({@code --print-config})
 */
public record MasterStatus(long pid, String version, long startedAtMillis, long takenAtMillis, int generation,
        int stableGeneration, int workersWanted, List<String> listeners, List<String> settings,
        List<Worker> workers, History history) {

    /** The settings {@code status} shows by name; the digest covers all of them. */
    static final List<String> SUMMARY = List.of("app", "worker_class", "workers", "threads", "timeout",
            "graceful_timeout", "max_requests", "worker_jvm_opts");

    /**
     * One worker as the master sees it.
     *
     * @param state {@code booting}, {@code ready}, {@code recycling} (serving while its replacement boots),
     *     {@code retiring} (sent TERM, not yet draining) or {@code draining}
     * @param request the request line in progress, or null
     * @param requestMillis how long that request has run
     * @param heartbeatAgeMillis since the master last saw the beat counter move
     * @param heapUsed bytes, sampled by the worker at most once a second; 0 before the first sample
     * @param warmupMillis how long the worker's warm-up took; 0 without one, or while it runs
     */
    public record Worker(long pid, int generation, String state, long ageMillis, long requests, long inFlight,
            String request, long requestMillis, long heartbeatAgeMillis, long heapUsed, long heapMax, long warmupMillis) {
        /** A worker without a warm-up time. */
        public Worker(long pid, int generation, String state, long ageMillis, long requests, long inFlight,
                String request, long requestMillis, long heartbeatAgeMillis, long heapUsed, long heapMax) {
            this(pid, generation, state, ageMillis, requests, inFlight, request, requestMillis, heartbeatAgeMillis,
                    heapUsed, heapMax, 0);
        }

        /** It accepts connections: ready, or recycling while its replacement boots. */
        public boolean serving() {
            return state.equals("ready") || state.equals("recycling");
        }
    }

    /** The newest reload still running: the generation booting, or 0. */
    public int reloading() {
        return generation != stableGeneration ? generation : 0;
    }

    /** Twelve hex digits of SHA-256 over every setting: equal digests, equal settings. */
    public String settingsDigest() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", settings).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The value of one setting, from its {@code name = value} line; null if absent. */
    public String setting(String name) {
        for (String line : settings) {
            if (line.startsWith(name + " = ")) {
                return line.substring(name.length() + 3);
            }
        }
        return null;
    }

    /** The body of a {@code status} response (without {@code ok}). */
    public Map<String, Object> toJson() {
        Map<String, Object> settingsJson = new LinkedHashMap<>();
        settingsJson.put("digest", settingsDigest());
        for (String name : SUMMARY) {
            settingsJson.put(name, setting(name));
        }
        Map<String, Object> master = new LinkedHashMap<>();
        master.put("pid", pid);
        master.put("version", version);
        master.put("uptime_ms", takenAtMillis - startedAtMillis);
        master.put("generation", generation);
        master.put("stable_generation", stableGeneration);
        master.put("workers_wanted", workersWanted);
        master.put("listeners", listeners);
        master.put("settings", settingsJson);

        List<Object> ws = new ArrayList<>();
        for (Worker w : workers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", w.pid());
            m.put("generation", w.generation());
            m.put("state", w.state());
            m.put("age_ms", w.ageMillis());
            m.put("requests", w.requests());
            m.put("in_flight", w.inFlight());
            m.put("request", w.request());
            m.put("request_ms", w.requestMillis());
            m.put("heartbeat_age_ms", w.heartbeatAgeMillis());
            m.put("heap_used", w.heapUsed());
            m.put("heap_max", w.heapMax());
            m.put("warmup_ms", w.warmupMillis());
            ws.add(m);
        }
        List<Object> exits = new ArrayList<>();
        for (History.Exit e : history.exits()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", e.pid());
            m.put("generation", e.generation());
            m.put("reason", e.reason());
            m.put("detail", e.detail());
            m.put("ago_ms", takenAtMillis - e.atMillis());
            exits.add(m);
        }
        List<Object> reloads = new ArrayList<>();
        for (History.Reload r : history.reloads()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("generation", r.generation());
            m.put("outcome", r.outcome());
            m.put("message", r.message());
            m.put("ago_ms", takenAtMillis - r.atMillis());
            reloads.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("master", master);
        out.put("workers", ws);
        out.put("recent_exits", exits);
        Map<String, Object> recycles = new LinkedHashMap<>();
        for (String cause : History.RECYCLE_CAUSES) {
            recycles.put(cause, history.recycles().getOrDefault(cause, 0L));
        }
        out.put("recycles", recycles);
        out.put("reloads", reloads);
        return out;
    }
}
