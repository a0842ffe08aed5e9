package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** X-Forwarded-For and X-Forwarded-Proto count only from --forwarded-allow-ips. */
class ProxyHeadersIT {
    private static final String REQUEST = "GET /whoami HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.7\r\n"
            + "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void aTrustedProxyNamesTheClientAndScheme(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1)) {
            assertThat(Http.send(q.port, REQUEST).body).isEqualTo("203.0.113.7 https");
            assertThat(Http.get(q.port, "/whoami").body).isEqualTo("127.0.0.1 http");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void anUntrustedPeerCannot(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--forwarded-allow-ips", "10.9.9.9")) {
            assertThat(Http.send(q.port, REQUEST).body).isEqualTo("127.0.0.1 http");
        }
    }
}
