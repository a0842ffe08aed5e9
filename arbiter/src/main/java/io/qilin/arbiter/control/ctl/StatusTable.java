package io.qilin.arbiter.control.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human form of a {@code status} answer: a few lines on the master, a table of workers, recent exits. */
final class StatusTable {
    private StatusTable() {
    }

    static String render(Map<String, Object> status) {
        Map<String, Object> master = map(status.get("master"));
        List<Map<String, Object>> workers = maps(status.get("workers"));
        StringBuilder sb = new StringBuilder();
        sb.append("Master ").append(master.get("pid")).append(" (qilin ").append(master.get("version")).append("), up ")
                .append(duration(num(master.get("uptime_ms")))).append(", generation ").append(master.get("generation"))
                .append(", ").append(workers.size()).append(" of ").append(master.get("workers_wanted")).append(" workers\n");
        if (!master.get("generation").equals(master.get("stable_generation"))) {
            sb.append("Reloading: generation ").append(master.get("generation")).append(" is starting; generation ")
                    .append(master.get("stable_generation")).append(" serves meanwhile\n");
        }
        sb.append("Listening at: ").append(String.join(", ", strings(master.get("listeners")))).append('\n');
        Map<String, Object> settings = map(master.get("settings"));
        List<String> summary = new ArrayList<>();
        settings.forEach((k, v) -> {
            if (!k.equals("digest") && v != null && !v.toString().isEmpty()) {
                summary.add(k + "=" + v);
            }
        });
        sb.append("Settings: ").append(String.join(" ", summary)).append(" (digest ").append(settings.get("digest"))
                .append(")\n\n");

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "GEN", "STATE", "AGE", "REQUESTS", "IN FLIGHT", "HEARTBEAT", "HEAP", "WARM-UP", "REQUEST"});
        for (Map<String, Object> w : workers) {
            Object request = w.get("request");
            rows.add(new String[] {
                String.valueOf(w.get("pid")), String.valueOf(w.get("generation")), String.valueOf(w.get("state")),
                duration(num(w.get("age_ms"))), String.valueOf(w.get("requests")), String.valueOf(w.get("in_flight")),
                duration(num(w.get("heartbeat_age_ms"))) + " ago",
                num(w.get("heap_max")) == 0 ? "-" : bytes(num(w.get("heap_used"))) + " / " + bytes(num(w.get("heap_max"))),
                num(w.get("warmup_ms")) == 0 ? "-" : duration(num(w.get("warmup_ms"))),
                request == null ? "-" : request + " (for " + duration(num(w.get("request_ms"))) + ")"});
        }
        table(sb, rows);

        Map<String, Object> recycles = map(status.get("recycles"));
        if (!recycles.isEmpty()) {
            List<String> counts = new ArrayList<>();
            recycles.forEach((cause, n) -> counts.add(cause + "=" + n));
            sb.append("\nRecycled workers: ").append(String.join(" ", counts)).append('\n');
        }

        List<Map<String, Object>> exits = maps(status.get("recent_exits"));
        if (!exits.isEmpty()) {
            sb.append("\nRecent worker exits, newest last:\n");
            rows.clear();
            for (Map<String, Object> e : exits) {
                rows.add(new String[] {"  " + e.get("pid"), "generation " + e.get("generation"), String.valueOf(e.get("reason")),
                    String.valueOf(e.get("detail")), duration(num(e.get("ago_ms"))) + " ago"});
            }
            table(sb, rows);
        }
        return sb.toString();
    }

    /** Columns padded to their widest cell; the last one is not padded. */
    static void table(StringBuilder sb, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** {@code 850ms}, {@code 4.2s}, {@code 42s}, {@code 5m03s}, {@code 2h05m}, {@code 3d04h}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 9_950) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long s = Math.round(millis / 1000.0);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /** {@code 512K}, {@code 41M}, {@code 1.5G}. */
    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1fG", n / (double) (1L << 30));
        }
        return n >= 1L << 20 ? (n >> 20) + "M" : (n >> 10) + "K";
    }

    private static long num(Object o) {
        return o instanceof Number ? ((Number) o).longValue() : 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : Map.of();
    }

    private static List<Map<String, Object>> maps(Object o) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (o instanceof List) {
            for (Object e : (List<?>) o) {
                out.add(map(e));
            }
        }
        return out;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List) {
            for (Object e : (List<?>) o) {
                out.add(String.valueOf(e));
            }
        }
        return out;
    }
}
