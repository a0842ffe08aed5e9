package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gunicorn's access log atoms (tests/test_logger.py), translated. */
class AccessLogTest {
    private final AccessLog.Entry entry = new AccessLog.Entry("10.0.0.1", "GET", "/a/b?x=1", "HTTP/1.1", 200, 13,
            1_234_567_000L, ZonedDateTime.of(2026, 11, 22, 6, 5, 4, 0, ZoneOffset.ofHours(1)),
            headers("User-Agent", "curl/8", "Referer", "http://r", "X-Id", "abc")::get,
            Map.of("Content-Type", "text/plain")::get);

    /** Header names are case-insensitive, as every kind's header map is. */
    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theDefaultFormatIsGunicorns() {
        assertThat(AccessLog.of(AccessLog.DEFAULT_FORMAT).format(entry))
                .isEqualTo("10.0.0.1 - - [22/Nov/2026:06:05:04 +0100] \"GET /a/b?x=1 HTTP/1.1\" 200 13 \"http://r\" \"curl/8\"");
    }

    @Test
    void everyAtom() {
        assertThat(AccessLog.of("%(m)s %(U)s %(q)s %(H)s %(s)s %(B)s %(T)s %(M)s %(D)s %(L)s %({x-id}i)s %({Content-Type}o)s %(nope)s")
                .format(entry)).isEqualTo("GET /a/b x=1 HTTP/1.1 200 13 1 1234 1234567 1.234567 abc text/plain -");
    }

    @Test
    void noBodyIsADashForBAndZeroForCapitalB() {
        AccessLog.Entry empty = new AccessLog.Entry(null, "HEAD", "/", "HTTP/1.0", 204, 0, 0, entry.start, h -> null, h -> null);
        assertThat(AccessLog.of("%(h)s %(b)s %(B)s %(f)s").format(empty)).isEqualTo("- - 0 -");
    }
}
