package io.qilin.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for CN=localhost, made with openssl; a test without openssl is skipped. */
record TestCertificate(Path cert, Path key) {
    static TestCertificate makeIn(Path dir) throws InterruptedException {
        TestCertificate made = new TestCertificate(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        Process openssl;
        try {
            openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", made.key.toString(), "-out", made.cert.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        } catch (IOException e) {
            openssl = null;
        }
        assumeTrue(openssl != null && openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                "openssl is needed to make a certificate");
        return made;
    }
}
