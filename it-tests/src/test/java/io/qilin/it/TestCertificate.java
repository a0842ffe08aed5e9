package io.qilin.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A self-signed certificate for CN=localhost, made with openssl; a test without openssl is skipped. */
record TestCertificate(Path cert, Path key) {
    private static final DateTimeFormatter OPENSSL_DATE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Trusts any server certificate: the tests' servers present self-signed ones. */
    static final TrustManager[] TRUST_ALL = {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }};

    /** A client context that trusts any server and presents no certificate. */
    static SSLContext trustingAnyServer() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, TRUST_ALL, null);
        return context;
    }

    /** cert.pem and key.pem in {@code dir}, valid for a year. */
    static TestCertificate makeIn(Path dir) throws InterruptedException {
        TestCertificate made = new TestCertificate(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=localhost",
                "-keyout", made.key.toString(), "-out", made.cert.toString());
        return made;
    }

    /** NAME-cert.pem and NAME-key.pem in {@code dir}, valid from {@code start} to {@code end} (openssl's UTC dates). */
    static TestCertificate dated(Path dir, String name, String start, String end) throws InterruptedException, IOException {
        Path ca = Files.createDirectories(dir.resolve(name + "-ca"));
        Files.writeString(ca.resolve("index.txt"), "");
        Files.writeString(ca.resolve("serial"), "01\n");
        Files.writeString(ca.resolve("ca.cnf"), "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\n"
                + "serial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n");
        TestCertificate made = new TestCertificate(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"));
        openssl(ca, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", made.key.toString(),
                "-out", "req.csr");
        openssl(ca, "ca", "-batch", "-notext", "-config", "ca.cnf", "-selfsign", "-keyfile", made.key.toString(), "-in", "req.csr",
                "-startdate", start, "-enddate", end, "-out", made.cert.toString());
        return made;
    }

    /** Now plus {@code offset}, as openssl ca's -startdate and -enddate want it. */
    static String utc(Duration offset) {
        return OPENSSL_DATE.format(Instant.now().plus(offset));
    }

    /** Runs openssl in {@code dir}; the test is skipped when it cannot. */
    static void openssl(Path dir, String... args) throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process openssl;
        try {
            openssl = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (IOException e) {
            openssl = null;
        }
        assumeTrue(openssl != null && openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                "openssl is needed to make a certificate: " + String.join(" ", cmd));
    }
}
