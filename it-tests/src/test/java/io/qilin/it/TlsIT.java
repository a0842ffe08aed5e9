package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** --certfile/--keyfile: every kind serves HTTPS with a certificate generated for the test, its key in PKCS#8 or PKCS#1. */
class TlsIT {
    @TempDir
    static Path dir;
    static Path cert;
    static Path key;
    static Path pkcs1Key;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        TestCertificate certificate = TestCertificate.makeIn(dir);
        cert = certificate.cert();
        key = certificate.key();
        TestCertificate.openssl(dir, "rsa", "-in", key.toString(), "-traditional", "-out", "pkcs1-key.pem");
        pkcs1Key = dir.resolve("pkcs1-key.pem");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void servesHttps(String kind) throws Exception {
        assertServesHttps(kind, key);
    }

    /** "BEGIN RSA PRIVATE KEY", what older openssl and many CAs hand out: every kind reads it too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void servesHttpsWithAPkcs1Key(String kind) throws Exception {
        assertServesHttps(kind, pkcs1Key);
    }

    private static void assertServesHttps(String kind, Path keyFile) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, "--certfile", cert.toString(), "--keyfile", keyFile.toString())) {
            long worker = q.workerPids().get(0);
            SSLContext trustAll = TestCertificate.trustingAnyServer();
            try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", q.port)) {
                s.setSoTimeout(Http.TIMEOUT_MILLIS);
                s.startHandshake();
                assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                        .isEqualTo("CN=localhost");
                OutputStream out = s.getOutputStream();
                out.write("GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
                out.flush();
                Http.Response r = Http.parse(s.getInputStream());
                assertThat(r.status).isEqualTo(200);
                assertThat(r.body.trim()).isEqualTo(Long.toString(worker));
            }
            // plain HTTP on a TLS port is refused, and the worker lives on
            try {
                Http.get(q.port, "/pid");
            } catch (java.io.IOException expected) {
                // closed or garbage: either is a refusal
            }
            assertThat(q.workerPids()).containsExactly(worker);
        }
    }
}
