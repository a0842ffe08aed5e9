package io.qilin.worker.gthread;

import static io.qilin.tck.client.RawClient.ascii;
import static io.qilin.tck.client.RawClient.body;
import static io.qilin.tck.client.RawClient.proxyV2Tcp4;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** --proxy-protocol on gthread (Undertow's decoder): the client the header names, or a closed connection. */
class ProxyProtocolTest {
    private static final String REQUEST = "GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    private static final String V1 = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 8000\r\n";

    @Test
    void theHeaderNamesTheClient() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true))) {
            assertThat(body(w.port, ascii(V1 + REQUEST))).isEqualTo("203.0.113.7");
            assertThat(body(w.port, ascii("PROXY TCP6 2001:db8::7 ::1 51"), ascii("234 8000\r\n" + REQUEST)))
                    .isEqualTo("2001:db8:0:0:0:0:0:7");
            assertThat(body(w.port, proxyV2Tcp4(198, 51, 100, 9, 4000), ascii(REQUEST))).isEqualTo("198.51.100.9");
        }
    }

    @Test
    void noHeaderAMalformedOneOrADisallowedPeerIsClosedUnanswered() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true))) {
            assertThat(body(w.port, ascii(REQUEST))).isEmpty();
            assertThat(body(w.port, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 51234\r\n" + REQUEST))).isEmpty();
            assertThat(body(w.port, ascii("PROXY TCP4 example.com 127.0.0.1 51234 8000\r\n" + REQUEST))).isEmpty();
            assertThat(body(w.port, ascii(V1 + REQUEST))).as("still serving").isEqualTo("203.0.113.7");
        }
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true, "PROXY_ALLOW_IPS", "10.0.0.0/8"))) {
            assertThat(body(w.port, ascii(V1 + REQUEST))).isEmpty();
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHeaderTimeout() throws Exception {
        try (RunningWorker w = RunningWorker.start(Map.of("PROXY_PROTOCOL", true, "HEADER_TIMEOUT", 1))) {
            assertThat(body(w.port)).isEmpty(); // returns only once the worker closed the connection
        }
    }

    /** Sends each part in a write of its own, then reads until the server closes; the body, or "" for none. */
            }
