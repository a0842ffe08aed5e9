package io.qilin.arbiter.control.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.arbiter.control.Json;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    @Test
    void aStatusAnswerAsTheOperatorReadsIt() {
        String answer = "{\"ok\":true,\"master\":{\"pid\":7,\"version\":\"1.2\",\"uptime_ms\":3723000,\"generation\":3,"
                + "\"stable_generation\":2,\"workers_wanted\":2,\"listeners\":[\"http://0.0.0.0:8000\",\"unix:/run/a.sock\"],"
                + "\"settings\":{\"digest\":\"abcdef123456\",\"app\":\"a.B\",\"worker_jvm_opts\":\"\"}},"
                + "\"workers\":[{\"pid\":11,\"generation\":2,\"state\":\"ready\",\"age_ms\":61000,\"requests\":1021,"
                + "\"in_flight\":1,\"request\":\"GET /slow HTTP/1.1\",\"request_ms\":2500,\"heartbeat_age_ms\":400,"
                + "\"heap_used\":43000000,\"heap_max\":268435456,\"warmup_ms\":412},{\"pid\":12,\"generation\":3,\"state\":\"booting\","
                + "\"age_ms\":900,\"requests\":0,\"in_flight\":0,\"request\":null,\"request_ms\":0,\"heartbeat_age_ms\":900,"
                + "\"heap_used\":0,\"heap_max\":0}],\"recent_exits\":[{\"pid\":9,\"generation\":2,\"reason\":\"crashed\","
                + "\"detail\":\"exit code 70\",\"ago_ms\":5000}],\"recycles\":{\"max_requests\":4,\"memory\":1,\"timeout\":0,"
                + "\"crash\":1,\"request_timeout\":0},\"reloads\":[]}";
        String table = StatusTable.render(Json.parseObject(answer));
        assertThat(table).startsWith("Master 7 (qilin 1.2), up 1h02m, generation 3, 2 of 2 workers\n"
                + "Reloading: generation 3 is starting; generation 2 serves meanwhile\n"
                + "Listening at: http://0.0.0.0:8000, unix:/run/a.sock\n"
                + "Settings: app=a.B (digest abcdef123456)\n\n"
                + "PID  GEN  STATE    AGE    REQUESTS  IN FLIGHT  HEARTBEAT  HEAP        WARM-UP  REQUEST\n"
                + "11   2    ready    1m01s  1021      1          400ms ago  41M / 256M  412ms    GET /slow HTTP/1.1 (for 2.5s)\n"
                + "12   3    booting  900ms  0         0          900ms ago  -           -        -\n");
        assertThat(table).contains("\nRecycled workers: max_requests=4 memory=1 timeout=0 crash=1 request_timeout=0\n");
        assertThat(table).contains("Recent worker exits, newest last:\n  9  generation 2  crashed  exit code 70  5.0s ago\n");
    }

    @Test
    void durationsAndSizes() {
        assertThat(StatusTable.duration(0)).isEqualTo("0ms");
        assertThat(StatusTable.duration(9_949)).isEqualTo("9.9s");
        assertThat(StatusTable.duration(9_960)).isEqualTo("10s");
        assertThat(StatusTable.duration(59_400)).isEqualTo("59s");
        assertThat(StatusTable.duration(3_600_000)).isEqualTo("1h00m");
        assertThat(StatusTable.duration(90_000_000)).isEqualTo("1d01h");
        assertThat(StatusTable.bytes(512 * 1024)).isEqualTo("512K");
        assertThat(StatusTable.bytes(3L << 29)).isEqualTo("1.5G");
    }
}
