package io.qilin.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SyslogAddressTest {

    @Test
    void readsGunicornsForms() {
        assertThat(SyslogAddress.parse("udp://localhost:514")).isEqualTo(udp("localhost", 514));
        assertThat(SyslogAddress.parse("udp://LogHost")).isEqualTo(udp("loghost", 514));
        assertThat(SyslogAddress.parse("udp://")).isEqualTo(udp("localhost", 514));
        assertThat(SyslogAddress.parse("udp://[::1]:5514")).isEqualTo(udp("::1", 5514));
        assertThat(SyslogAddress.parse("tcp://10.0.0.1:601"))
                .isEqualTo(new SyslogAddress(SyslogAddress.Transport.TCP, "10.0.0.1", 601, null));
        assertThat(SyslogAddress.parse("unix:///run/syslog.sock"))
                .isEqualTo(new SyslogAddress(SyslogAddress.Transport.UNIX, null, 0, Path.of("/run/syslog.sock")));
        assertThat(SyslogAddress.parse("unix:///run/syslog.sock#stream").path()).isEqualTo(Path.of("/run/syslog.sock"));
        assertThat(SyslogAddress.parse("udp://[::1]:5514")).hasToString("udp://[::1]:5514");
    }

    @Test
    void refusesWhatItCannotUse() {
        for (String bad : new String[] {"localhost:514", "udp://host:port", "tcp://host:0", "udp://[::1", "unix://",
                "unix:///dev/log#dgram"}) {
            assertThatThrownBy(() -> SyslogAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("Exception");
        }
    }

    private static SyslogAddress udp(String host, int port) {
        return new SyslogAddress(SyslogAddress.Transport.UDP, host, port, null);
    }
}
