package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate that cannot be loaded at a reload is refused by the master before any new worker
 * starts (TlsMaterial), and the old generation keeps serving over TLS.
 */
class VertxTlsReloadIT {

    @Test
    void anUnreadableCertificateAtAReloadLeavesTheOldGenerationServing(@TempDir Path dir) throws Exception {
        TestCertificate certificate = TestCertificate.makeIn(dir);
        Path cert = certificate.cert();
        Path key = certificate.key();
        SSLContext trusting = trusting(cert);
        try (Qilin q = Qilin.serving("vertx", 1, "--certfile", cert.toString(), "--keyfile", key.toString())) {
            long worker = q.workerPids().get(0);
            assertThat(pidOverHttps(trusting, q.port)).isEqualTo(worker);

            Files.writeString(cert, "not a certificate\n");
            q.signal("HUP");
            q.awaitLog(java.util.regex.Pattern.quote("Reload failed: Invalid value for certfile from the command line: " + cert
                    + " (no PEM certificate in it (-----BEGIN CERTIFICATE-----)); the running workers keep serving"));

            assertThat(q.workerPids()).containsExactly(worker);
            assertThat(pidOverHttps(trusting, q.port)).isEqualTo(worker);
        }
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trusted.setCertificateEntry("qilin", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static long pidOverHttps(SSLContext context, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.getOutputStream().write("GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Http.Response r = Http.parse(s.getInputStream());
            assertThat(r.status).isEqualTo(200);
            return Long.parseLong(r.body.trim());
        }
    }
}
