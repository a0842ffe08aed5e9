package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwardedTest {
    private final Forwarded forwarded = Forwarded.fromConfig(WorkerConfig.builder()
            .set("FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.2").build());
    private final InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", 5000);
    private final InetSocketAddress stranger = new InetSocketAddress("192.0.2.9", 5000);

    @Test
    void aTrustedProxyGivesTheClientAddressAndScheme() {
        Map<String, String> h = Map.of("X-Forwarded-For", "203.0.113.7, 10.0.0.2", "X-Forwarded-Proto", "https");
        assertThat(forwarded.remote(proxy, h::get).getAddress().getHostAddress()).isEqualTo("203.0.113.7");
        assertThat(forwarded.scheme(proxy, h::get, false)).isEqualTo("https");
    }

    @Test
    void anyoneElseIsIgnored() {
        Map<String, String> h = Map.of("X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https");
        assertThat(forwarded.remote(stranger, h::get)).isEqualTo(stranger);
        assertThat(forwarded.scheme(stranger, h::get, false)).isEqualTo("http");
        assertThat(forwarded.scheme(stranger, h::get, true)).isEqualTo("https");
    }

    @Test
    void garbageInTheHeaderIsIgnored() {
        Map<String, String> h = Map.of("X-Forwarded-For", "not an address!");
        assertThat(forwarded.remote(proxy, h::get)).isEqualTo(proxy);
    }
}
