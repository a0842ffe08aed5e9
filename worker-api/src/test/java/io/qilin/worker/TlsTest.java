package io.qilin.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.qilin.worker.protocol.WorkerEnv;
import java.util.List;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** The handshake parameters every kind applies, from the TLS settings. */
class TlsTest {
    private static SSLParameters params(Object... kv) {
        WorkerConfig.Builder b = WorkerConfig.builder();
        for (int i = 0; i < kv.length; i += 2) {
            b.set((WorkerEnv) kv[i], kv[i + 1]);
        }
        return Tls.serverParameters(b.build());
    }

    @Test
    void certReqsAsksForAClientCertificate() {
        assertThat(params().getNeedClientAuth()).isFalse();
        assertThat(params().getWantClientAuth()).isFalse();
        assertThat(params(WorkerEnv.CERT_REQS, "required").getNeedClientAuth()).isTrue();
        assertThat(params(WorkerEnv.CERT_REQS, "2").getNeedClientAuth()).isTrue();
        SSLParameters optional = params(WorkerEnv.CERT_REQS, "Optional");
        assertThat(optional.getWantClientAuth()).isTrue();
        assertThat(optional.getNeedClientAuth()).isFalse();
        assertThat(Tls.ClientAuth.parse("maybe")).isNull();
    }

    @Test
    void theMinimumVersionAndTheCipherSuites() {
        assertThat(params().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(params().getCipherSuites()).isNull();
        SSLParameters p = params(WorkerEnv.TLS_MIN_VERSION, "1.3", WorkerEnv.CIPHERS, "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256");
        assertThat(p.getProtocols()).containsExactly("TLSv1.3");
        assertThat(p.getCipherSuites()).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
        assertThat(Tls.ciphers(" A, B:C  D ")).isEqualTo(List.of("A", "B", "C", "D"));
    }
}
