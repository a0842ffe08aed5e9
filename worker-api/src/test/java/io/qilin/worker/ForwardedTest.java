package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ForwardedTest {
    private final Forwarded forwarded = Forwarded.fromConfig(WorkerConfig.builder()
            .set("FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.2").build());
    private final InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", 5000);
    private final InetSocketAddress stranger = new InetSocketAddress("192.0.2.9", 5000);

    @Test
    void aTrustedProxyGivesTheClientAddressAndScheme() {
        Map<String, String> h = headers("X-Forwarded-For", "203.0.113.7, 10.0.0.2", "X-Forwarded-Proto", "https");
        assertThat(forwarded.remote(proxy, h::get).getAddress().getHostAddress()).isEqualTo("203.0.113.7");
        assertThat(forwarded.scheme(proxy, h::get, false)).isEqualTo("https");
    }

    @Test
    void anyoneElseIsIgnored() {
        Map<String, String> h = headers("X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https");
        assertThat(forwarded.remote(stranger, h::get)).isEqualTo(stranger);
        assertThat(forwarded.scheme(stranger, h::get, false)).isEqualTo("http");
        assertThat(forwarded.scheme(stranger, h::get, true)).isEqualTo("https");
    }

    @Test
    void garbageInTheHeaderIsIgnored() {
        Map<String, String> h = headers("X-Forwarded-For", "not an address!");
        assertThat(forwarded.remote(proxy, h::get)).isEqualTo(proxy);
    }

    @Test
    void gunicornsSecureSchemeHeadersByDefault() {
        assertThat(forwarded.scheme(proxy, headers("X-Forwarded-Protocol", "ssl")::get, false)).isEqualTo("https");
        assertThat(forwarded.scheme(proxy, headers("X-Forwarded-Ssl", "on")::get, false)).isEqualTo("https");
        assertThat(forwarded.scheme(proxy, headers("X-Forwarded-Proto", "http")::get, false)).isEqualTo("http");
    }

    @Test
    void secureSchemeHeadersAreASetting() {
        Forwarded custom = Forwarded.fromConfig(WorkerConfig.builder().set("FORWARDED_ALLOW_IPS", "127.0.0.0/8")
                .set("SECURE_SCHEME_HEADERS", "X-Scheme=https").build());
        assertThat(custom.scheme(proxy, headers("X-Scheme", "https")::get, false)).isEqualTo("https");
        assertThat(custom.scheme(proxy, headers("X-Forwarded-Proto", "https")::get, false)).isEqualTo("http");
        Forwarded none = Forwarded.fromConfig(WorkerConfig.builder().set("SECURE_SCHEME_HEADERS", "none").build());
        assertThat(none.scheme(proxy, headers("X-Forwarded-Proto", "https")::get, false)).isEqualTo("http");
    }

    /** Header names ignore case, as in every kind's request headers. */
    private static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }
}
