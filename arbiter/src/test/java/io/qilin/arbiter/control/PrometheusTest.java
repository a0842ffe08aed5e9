package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTest {

    static MasterStatus sample() {
        History h = History.EMPTY
                .workerExited(10, 1, "crashed", "exit code 70", true, 5)
                .workerExited(11, 1, "retired", "exit code 0", true, 7)
                .workerExited(12, 1, "retired", "exit code 0", false, 1)
                .reloadEnded(2, "complete", "Reload complete: generation 2 is serving (2 workers)", 0)
                .recycled("max_requests").recycled("max_requests").recycled("crash");
        return new MasterStatus(100, "1.0", 1_000_000, 1_005_000, 2, 2, 2, List.of("http://127.0.0.1:8000"),
                List.of("workers = 2", "app = a.B"), List.of(
                        new MasterStatus.Worker(20, 2, "ready", 4000, 3, 1, "GET /x HTTP/1.1", 1500, 250, 1 << 20, 8 << 20),
                        new MasterStatus.Worker(21, 2, "booting", 100, 0, 0, null, 0, 100, 0, 0)), h);
    }

    @Test
    void everyLineIsAValidSampleOrComment() {
        String text = Prometheus.format(sample());
        for (String line : text.split("\n")) {
            assertThat(line).matches("# (HELP|TYPE) qilin_\\w+ .+|qilin_\\w+(\\{(\\w+=\"[^\"]*\",?)+})? -?[0-9.]+");
        }
        assertThat(text).endsWith("\n");
    }

    @Test
    void countsWhatTheStatusHolds() {
        Map<String, Double> m = parse(Prometheus.format(sample()));
        assertThat(m).containsEntry("qilin_workers{state=\"ready\"}", 1.0)
                .containsEntry("qilin_workers{state=\"booting\"}", 1.0)
                .containsEntry("qilin_workers{state=\"draining\"}", 0.0)
                .containsEntry("qilin_worker_restarts_total{reason=\"crashed\"}", 1.0)
                .containsEntry("qilin_worker_restarts_total{reason=\"retired\"}", 1.0)   // the third came during a stop
                .containsEntry("qilin_worker_restarts_total{reason=\"timeout\"}", 0.0)
                .containsEntry("qilin_reloads_total{outcome=\"complete\"}", 1.0)
                .containsEntry("qilin_reloads_total{outcome=\"failed\"}", 0.0)
                .containsEntry("qilin_requests_total", 16.0)   // 5 + 7 + 1 exited, 3 live
                .containsEntry("qilin_worker_requests_in_flight{pid=\"20\",generation=\"2\"}", 1.0)
                .containsEntry("qilin_worker_heartbeat_age_seconds{pid=\"20\",generation=\"2\"}", 0.25)
                .containsEntry("qilin_worker_heap_max_bytes{pid=\"20\",generation=\"2\"}", (double) (8 << 20))
                .containsEntry("qilin_worker_recycles_total{cause=\"max_requests\"}", 2.0)
                .containsEntry("qilin_worker_recycles_total{cause=\"crash\"}", 1.0)
                .containsEntry("qilin_worker_recycles_total{cause=\"memory\"}", 0.0)
                .containsEntry("qilin_workers{state=\"recycling\"}", 0.0)
                .containsEntry("qilin_generation", 2.0)
                .containsEntry("qilin_info{version=\"1.0\",pid=\"100\"}", 1.0);
    }

    @Test
    void labelValuesAreEscaped() {
        assertThat(Prometheus.labels("v", "a\"b\\c\nd")).isEqualTo("{v=\"a\\\"b\\\\c\\nd\"}");
    }

    private static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#")) {
                int sp = line.lastIndexOf(' ');
                out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            }
        }
        return new HashMap<>(out);
    }
}
