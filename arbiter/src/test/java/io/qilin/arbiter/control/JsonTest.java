package io.qilin.arbiter.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void whatIsWrittenReadsBackTheSame() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("pid", 12345L);
        m.put("ratio", 0.5);
        m.put("none", null);
        m.put("text", "line 1\nline \"2\"\t\\ \u0001 é \u2028");
        m.put("list", Arrays.asList(1L, "two", false, null, List.of(), Map.of()));
        m.put("nested", Map.of("a", List.of(Map.of("b", -7L))));
        String line = Json.write(m);
        assertThat(line).doesNotContain("\n").doesNotContain("\u2028").startsWith("{\"ok\":true,\"pid\":12345,");
        assertThat(Json.parse(line)).isEqualTo(m);
    }

    @Test
    void readsWhatOtherWritersWrite() {
        assertThat(Json.parseObject(" { \"command\" : \"scale\", \"workers\" : \"+2\" ,\"x\":[ 1.5e3 , \"\\u00e9\\/\"] } "))
                .containsEntry("command", "scale").containsEntry("workers", "+2")
                .containsEntry("x", List.of(1500.0, "é/"));
    }

    @Test
    void badInputNamesWhereItWentWrong() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 7");
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 8");
        assertThatThrownBy(() -> Json.parse("\"open")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("end-of-input");
        assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("unexpected end");
    }
}
