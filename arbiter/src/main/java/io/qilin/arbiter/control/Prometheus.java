package io.qilin.arbiter.control;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link MasterStatus} in the Prometheus text exposition format (version 0.0.4). Per-worker series
 * carry {@code pid} and {@code generation} labels; they vanish with the worker, and
 * {@code qilin_requests_total} keeps counting the requests of workers that have exited.
 */
public final class Prometheus {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final List<String> STATES = List.of("booting", "ready", "recycling", "retiring", "draining");

    private final StringBuilder sb = new StringBuilder();

    private Prometheus() {
    }

    public static String format(MasterStatus s) {
        return new Prometheus().all(s).sb.toString();
    }

    private Prometheus all(MasterStatus s) {
        family("qilin_info", "gauge", "This master: its version and pid.");
        sample("qilin_info", labels("version", s.version(), "pid", Long.toString(s.pid())), 1);
        family("qilin_start_time_seconds", "gauge", "When the master started, in seconds since the epoch.");
        sample("qilin_start_time_seconds", "", s.startedAtMillis() / 1000.0);
        family("qilin_generation", "gauge", "The generation of workers being served, or booting during a reload.");
        sample("qilin_generation", "", s.generation());
        family("qilin_workers_wanted", "gauge", "How many workers the master keeps.");
        sample("qilin_workers_wanted", "", s.workersWanted());
        family("qilin_workers", "gauge", "Worker processes by state.");
        for (String state : STATES) {
            sample("qilin_workers", labels("state", state), s.workers().stream().filter(w -> w.state().equals(state)).count());
        }
        family("qilin_worker_restarts_total", "counter",
                "Workers that exited while the master was running, by reason (retired: the master asked).");
        counts("qilin_worker_restarts_total", "reason", History.EXIT_REASONS, s.history().restarts());
        family("qilin_worker_recycles_total", "counter", "Serving workers replaced, by cause (max_requests and memory: "
                + "replacement first; timeout, crash, request_timeout: after the worker stopped).");
        counts("qilin_worker_recycles_total", "cause", History.RECYCLE_CAUSES, s.history().recycles());
        family("qilin_reloads_total", "counter", "Reloads by outcome (failed: rolled back; refused: never started).");
        counts("qilin_reloads_total", "outcome", History.RELOAD_OUTCOMES, s.history().reloadOutcomes());
        family("qilin_requests_total", "counter", "Requests started by every worker of this master, exited ones included.");
        sample("qilin_requests_total", "",
                s.history().exitedRequests() + s.workers().stream().mapToLong(MasterStatus.Worker::requests).sum());

        family("qilin_worker_requests_total", "counter", "Requests started by one worker.");
        each(s, "qilin_worker_requests_total", w -> w.requests());
        family("qilin_worker_requests_in_flight", "gauge", "Requests one worker is serving now.");
        each(s, "qilin_worker_requests_in_flight", w -> w.inFlight());
        family("qilin_worker_heartbeat_age_seconds", "gauge", "Since the master last saw the worker's heartbeat move.");
        each(s, "qilin_worker_heartbeat_age_seconds", w -> w.heartbeatAgeMillis() / 1000.0);
        family("qilin_worker_heap_used_bytes", "gauge", "Heap in use, sampled by the worker at most once a second.");
        each(s, "qilin_worker_heap_used_bytes", w -> w.heapUsed());
        family("qilin_worker_heap_max_bytes", "gauge", "The most heap the worker may use.");
        each(s, "qilin_worker_heap_max_bytes", w -> w.heapMax());
        return this;
    }

    private void counts(String name, String label, List<String> known, Map<String, Long> counts) {
        for (String k : known) {
            sample(name, labels(label, k), counts.getOrDefault(k, 0L));
        }
        counts.keySet().stream().filter(k -> !known.contains(k)).sorted()
                .forEach(k -> sample(name, labels(label, k), counts.get(k)));
    }

    private void each(MasterStatus s, String name, java.util.function.ToDoubleFunction<MasterStatus.Worker> value) {
        for (MasterStatus.Worker w : s.workers()) {
            sample(name, labels("pid", Long.toString(w.pid()), "generation", Integer.toString(w.generation())),
                    value.applyAsDouble(w));
        }
    }

    private void family(String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, double value) {
        sb.append(name).append(labels).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", value));
        }
        sb.append('\n');
    }

    /** {@code {k="v",...}}, values escaped as the format wants. */
    static String labels(String... kv) {
        StringBuilder l = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            l.append(i == 0 ? "" : ",").append(kv[i]).append("=\"")
                    .append(kv[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return l.append('}').toString();
    }
}
