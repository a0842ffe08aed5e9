package io.qilin.arbiter.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a certificate and key pair can be wrong gets its own reason; openssl makes the files. */
class TlsMaterialTest {
    @TempDir
    static Path dir;
    static Path cert;
    static Path key;
    static Path otherKey;
    static Path ecCert;
    static Path ecKey;

    @BeforeAll
    static void makeCertificates() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "90", "-subj", "/CN=localhost",
                "-keyout", key.toString(), "-out", cert.toString());
        otherKey = dir.resolve("other.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", otherKey.toString());
        openssl("rsa", "-in", key.toString(), "-traditional", "-out", dir.resolve("pkcs1.pem").toString());
        openssl("pkcs8", "-topk8", "-v2", "aes256", "-passout", "pass:secret", "-in", key.toString(),
                "-out", dir.resolve("encrypted.pem").toString());
        ecCert = dir.resolve("ec-cert.pem");
        ecKey = dir.resolve("ec-key.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "90",
                "-subj", "/CN=ec", "-keyout", ecKey.toString(), "-out", ecCert.toString());
        openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", dir.resolve("sec1.pem").toString());
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (IOException e) {
            p = null;
        }
        assumeTrue(p != null && p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl is needed");
    }

    @Test
    void aMatchingPairLoads() {
        assertThat(TlsMaterial.load(cert, key, Instant.now()).warnings(Instant.now())).isEmpty();
        assertThat(TlsMaterial.load(ecCert, ecKey, Instant.now()).warnings(Instant.now())).isEmpty();
    }

    @Test
    void aPkcs1RsaKeyIsReadToo() {
        TlsMaterial.load(cert, dir.resolve("pkcs1.pem"), Instant.now());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> TlsMaterial.load(cert, otherKey, Instant.now()))
                .isInstanceOfSatisfying(TlsMaterial.BadFile.class, e -> assertThat(e.which()).isEqualTo(TlsMaterial.BadFile.Which.KEYFILE))
                .hasMessage("the key does not belong to the certificate in " + cert + " (CN=localhost)");
        assertThatThrownBy(() -> TlsMaterial.load(cert, ecKey, Instant.now()))
                .hasMessageStartingWith("the key does not belong to the certificate");
    }

    @Test
    void aCaBundleCountsItsCertificates() throws IOException {
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(cert) + Files.readString(ecCert));
        assertThat(TlsMaterial.loadCaCerts(bundle)).isEqualTo(2);
    }

    @Test
    void aCaBundleWithoutACertificateIsRefused() {
        assertThatThrownBy(() -> TlsMaterial.loadCaCerts(key))
                .isInstanceOfSatisfying(TlsMaterial.BadFile.class, e -> assertThat(e.which()).isEqualTo(TlsMaterial.BadFile.Which.CA_CERTS))
                .hasMessage("a private key, not a certificate");
        assertThatThrownBy(() -> TlsMaterial.loadCaCerts(dir.resolve("none.pem"))).hasMessage("no such file");
    }

    @Test
    void cipherSuitesAreJsseNamesTheJvmKnows() {
        List<String> tls12 = List.of("TLSv1.3", "TLSv1.2");
        assertThat(TlsMaterial.cipherProblem(List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
                tls12)).isNull();
        assertThat(TlsMaterial.cipherProblem(List.of("ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"), tls12))
                .startsWith("unknown cipher suite ECDHE-RSA-AES128-GCM-SHA256;");
        assertThat(TlsMaterial.cipherProblem(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), List.of("TLSv1.3")))
                .startsWith("no TLS 1.3 cipher suite");
    }

    @Test
    void swappedFilesSaySo() {
        assertThatThrownBy(() -> TlsMaterial.load(key, cert, Instant.now()))
                .isInstanceOfSatisfying(TlsMaterial.BadFile.class, e -> assertThat(e.which()).isEqualTo(TlsMaterial.BadFile.Which.CERTFILE))
                .hasMessage("a private key, not a certificate; are certfile and keyfile swapped?");
        assertThatThrownBy(() -> TlsMaterial.load(cert, cert, Instant.now()))
                .hasMessage("a certificate, not a private key; are certfile and keyfile swapped?");
    }

    @Test
    void plainTextAndGarbageAreNotPem() throws Exception {
        Path text = Files.writeString(dir.resolve("text.pem"), "hello, I am not a certificate\n");
        assertThatThrownBy(() -> TlsMaterial.load(text, key, Instant.now()))
                .hasMessage("no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> TlsMaterial.load(cert, text, Instant.now()))
                .hasMessage("no PEM private key in it (-----BEGIN PRIVATE KEY-----)");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAAbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TlsMaterial.load(garbage, key, Instant.now()))
                .hasMessageStartingWith("the certificate cannot be parsed: ");
        Path badKey = Files.writeString(dir.resolve("badkey.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAAbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsMaterial.load(cert, badKey, Instant.now()))
                .hasMessageStartingWith("the key cannot be parsed: ");
        assertThatThrownBy(() -> TlsMaterial.load(dir.resolve("none.pem"), key, Instant.now())).hasMessage("no such file");
    }

    @Test
    void keysJavaCannotReadComeWithTheOpensslCommand() {
        Path encrypted = dir.resolve("encrypted.pem");
        assertThatThrownBy(() -> TlsMaterial.load(cert, encrypted, Instant.now()))
                .hasMessage("an encrypted key; Qilin needs it unencrypted; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
                        + encrypted + " -out " + encrypted + ".pk8");
        assertThatThrownBy(() -> TlsMaterial.load(ecCert, dir.resolve("sec1.pem"), Instant.now()))
                .hasMessageStartingWith("a key in a form Java cannot read; convert it with: openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void expiryIsAnErrorAndNearExpiryAWarning() {
        Instant in80Days = Instant.now().plus(Duration.ofDays(80));
        List<String> warnings = TlsMaterial.load(cert, key, in80Days).warnings(in80Days);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).startsWith("certfile: the certificate (CN=localhost) expires on ").endsWith(", in 9 days");
        assertThatThrownBy(() -> TlsMaterial.load(cert, key, Instant.now().plus(Duration.ofDays(91))))
                .hasMessageStartingWith("the certificate (CN=localhost) expired on ");
        Instant yesterday = Instant.now().minus(Duration.ofDays(1));
        assertThat(TlsMaterial.load(cert, key, yesterday).warnings(yesterday)).singleElement().asString()
                .contains("is not valid until");
    }
}
