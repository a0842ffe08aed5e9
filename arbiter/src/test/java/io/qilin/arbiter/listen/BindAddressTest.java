package io.qilin.arbiter.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Gunicorn's tests/test_util.py parse_address cases, translated. */
class BindAddressTest {

    @Test
    void parsesEveryForm() {
        assertThat(BindAddress.parse("127.0.0.1:8000").toString()).isEqualTo("127.0.0.1:8000");
        assertThat(BindAddress.parse("localhost").port()).isEqualTo(8000);
        assertThat(BindAddress.parse(":9000").host()).isEqualTo("0.0.0.0");
        assertThat(BindAddress.parse("tcp://example.com:5000").host()).isEqualTo("example.com");
        assertThat(BindAddress.parse("[::1]:8001").host()).isEqualTo("::1");
        assertThat(BindAddress.parse("[::1]:8001").toString()).isEqualTo("[::1]:8001");
        assertThat(BindAddress.parse("[::1]").port()).isEqualTo(8000);
        assertThat(BindAddress.parse("unix:/run/app.sock").path()).isEqualTo("/run/app.sock");
        assertThat(BindAddress.parse("unix:///run/app.sock").path()).isEqualTo("/run/app.sock");
        assertThat(BindAddress.parse("fd://33").fd()).isEqualTo(33);
        assertThat(BindAddress.parse("EXAMPLE.com:80").host()).isEqualTo("example.com");
    }

    @Test
    void refusesBadValuesWithGunicornsMessages() {
        assertThatThrownBy(() -> BindAddress.parse("127.0.0.1:test")).hasMessage("'test' is not a valid port number");
        assertThatThrownBy(() -> BindAddress.parse("127.0.0.1:70000")).hasMessage("'70000' is not a valid port number");
        assertThatThrownBy(() -> BindAddress.parse("fd://FD")).hasMessage("'FD' is not a valid file descriptor");
        assertThatThrownBy(() -> BindAddress.parse("unix:")).hasMessageContaining("names no socket path");
    }
}
