package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void roundTripsThroughTheEnvironment() {
        WorkerConfig c = WorkerConfig.builder().set("APP", "com.example.Hello").set("TIMEOUT", 7)
                .listeners(List.of(new ListenerSpec(3, ListenerSpec.Family.INET, "127.0.0.1:8000"),
                        new ListenerSpec(4, ListenerSpec.Family.UNIX, "/run/a,b.sock"),
                        new ListenerSpec(5, ListenerSpec.Family.INET6, "[::1]:9000")))
                .build();
        Map<String, String> env = c.toEnv();
        assertThat(env).containsEntry("QILIN_APP", "com.example.Hello").containsEntry("QILIN_TIMEOUT", "7");
        WorkerConfig back = WorkerConfig.fromEnv(Map.of("PATH", "/bin", "QILIN_APP", env.get("QILIN_APP"),
                "QILIN_TIMEOUT", "7", "QILIN_LISTENERS", env.get("QILIN_LISTENERS")));
        assertThat(back.app()).isEqualTo("com.example.Hello");
        assertThat(back.timeout()).isEqualTo(7);
        assertThat(back.listeners()).extracting(ListenerSpec::fd).containsExactly(3, 4, 5);
        assertThat(back.listeners().get(1).address()).isEqualTo("/run/a,b.sock");
        assertThat(back.listeners().get(2).host()).isEqualTo("::1");
        assertThat(back.listeners().get(2).port()).isEqualTo(9000);
    }

    @Test
    void absentValuesTakeGunicornsDefaults() {
        WorkerConfig c = WorkerConfig.fromEnv(Map.of());
        assertThat(c.workerClass()).isEqualTo("sync");
        assertThat(c.timeout()).isEqualTo(30);
        assertThat(c.gracefulTimeout()).isEqualTo(30);
        assertThat(c.keepAlive()).isEqualTo(2);
        assertThat(c.limitRequestLine()).isEqualTo(4094);
        assertThat(c.limitRequestFields()).isEqualTo(100);
        assertThat(c.limitRequestFieldSize()).isEqualTo(8190);
        assertThat(c.listeners()).isEmpty();
    }

    @Test
    void aBadNumberNamesTheVariable() {
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Map.of("QILIN_TIMEOUT", "soon")).timeout())
                .hasMessage("QILIN_TIMEOUT is not a number: soon");
    }
}
