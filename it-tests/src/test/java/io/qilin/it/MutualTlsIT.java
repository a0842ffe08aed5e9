package io.qilin.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qilin.worker.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * --ca-certs and --cert-reqs (client certificates), --ciphers and --tls-min-version on every kind, and a
 * HUP that reads the certificate, the key and the CA bundle anew. The test app's /peer answers the
 * subject of the client's certificate as the application sees it (getSSLSession().getPeerCertificates()).
 */
class MutualTlsIT {
    @TempDir
    static Path dir;
    static TestCertificate server;
    static Path ca;
    static SSLContext noCertificate;
    static SSLContext signedByTheCa;
    static SSLContext selfSigned;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCertificate.makeIn(Files.createDirectories(dir.resolve("server")));
        ca = authority(dir, "ca", "/CN=Test CA");
        noCertificate = client(null, null);
        signedByTheCa = client(signed(dir, "ca", "client", "/CN=Test Client"), dir.resolve("client-key.pem"));
        TestCertificate.openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=Stranger",
                "-keyout", "stranger-key.pem", "-out", "stranger.pem");
        selfSigned = client(dir.resolve("stranger.pem"), dir.resolve("stranger-key.pem"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void requiredRefusesAClientWithoutAGoodCertificateAndShowsTheAppAGoodOne(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, tls(server, "--ca-certs", ca.toString(), "--cert-reqs", "required"))) {
            long worker = q.workerPids().get(0);
            assertThatThrownBy(() -> get(noCertificate, q.port, "/peer")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> get(selfSigned, q.port, "/peer")).isInstanceOf(IOException.class);
            assertThat(get(signedByTheCa, q.port, "/peer")).isEqualTo("200 CN=Test Client");
            assertThat(q.workerPids()).containsExactly(worker);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void optionalServesAClientWithoutOneAndVerifiesOneSent(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, tls(server, "--ca-certs", ca.toString(), "--cert-reqs", "optional"))) {
            assertThat(get(noCertificate, q.port, "/peer")).isEqualTo("200 none");
            assertThat(get(signedByTheCa, q.port, "/peer")).isEqualTo("200 CN=Test Client");
            assertThatThrownBy(() -> get(selfSigned, q.port, "/peer")).isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void onlyTheConfiguredCipherSuitesAndVersions(String kind) throws Exception {
        try (Qilin q = Qilin.serving(kind, 1, tls(server, "--tls-min-version", "1.3", "--ciphers", "TLS_AES_256_GCM_SHA384"))) {
            assertThat(handshake(q.port, "TLSv1.3", "TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
            assertThatThrownBy(() -> handshake(q.port, "TLSv1.3", "TLS_AES_128_GCM_SHA256")).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> handshake(q.port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))
                    .isInstanceOf(IOException.class);
        }
    }

    /** Workers are new JVMs: the new generation reads the replaced files, certificate, key and CA bundle. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.qilin.it.Qilin#kinds")
    void aReloadReadsTheFilesAnew(String kind) throws Exception {
        Path run = Files.createDirectories(dir.resolve("reload-" + kind));
        Path cert = run.resolve("cert.pem");
        Path key = run.resolve("key.pem");
        Path caCerts = run.resolve("ca.pem");
        Files.copy(server.cert(), cert);
        Files.copy(server.key(), key);
        Files.copy(ca, caCerts);
        try (Qilin q = Qilin.serving(kind, 1, "--certfile", cert.toString(), "--keyfile", key.toString(),
                "--ca-certs", caCerts.toString(), "--cert-reqs", "required")) {
            long first = q.workerPids().get(0);
            assertThat(serverSubject(signedByTheCa, q.port)).isEqualTo("CN=localhost");

            Path newCa = authority(run, "new-ca", "/CN=New CA");
            SSLContext signedByTheNewCa = client(signed(run, "new-ca", "new-client", "/CN=New Client"),
                    run.resolve("new-client-key.pem"));
            TestCertificate.openssl(run, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj",
                    "/CN=reloaded", "-keyout", "new-key.pem", "-out", "new-cert.pem");
            Files.copy(run.resolve("new-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(run.resolve("new-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(newCa, caCerts, StandardCopyOption.REPLACE_EXISTING);
            q.signal("HUP");
            q.awaitLog("Reload complete: generation 2 is serving");
            await().atMost(Qilin.BOOT).until(() -> !q.workerPids().contains(first));

            assertThat(serverSubject(signedByTheNewCa, q.port)).isEqualTo("CN=reloaded");
            assertThat(get(signedByTheNewCa, q.port, "/peer")).isEqualTo("200 CN=New Client");
            assertThatThrownBy(() -> get(signedByTheCa, q.port, "/peer")).isInstanceOf(IOException.class);
        }
    }

    private static String[] tls(TestCertificate certificate, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "--certfile";
        args[1] = certificate.cert().toString();
        args[2] = "--keyfile";
        args[3] = certificate.key().toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return args;
    }

    /** NAME.pem and NAME-key.pem in {@code in}: a self-signed CA. */
    private static Path authority(Path in, String name, String subject) throws InterruptedException {
        TestCertificate.openssl(in, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", subject,
                "-keyout", name + "-key.pem", "-out", name + ".pem");
        return in.resolve(name + ".pem");
    }

    /** NAME.pem and NAME-key.pem in {@code in}: a client certificate signed by the CA {@code caName}. */
    private static Path signed(Path in, String caName, String name, String subject) throws InterruptedException {
        TestCertificate.openssl(in, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                "-keyout", name + "-key.pem", "-out", name + ".csr");
        TestCertificate.openssl(in, "x509", "-req", "-in", name + ".csr", "-CA", caName + ".pem", "-CAkey", caName + "-key.pem",
                "-CAcreateserial", "-days", "365", "-out", name + ".pem");
        return in.resolve(name + ".pem");
    }

    /** A client that trusts any server and presents {@code cert} (none when null). */
    private static SSLContext client(Path cert, Path key) throws Exception {
        KeyManager[] keys = null;
        if (cert != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", Tls.privateKey(key), new char[0], Tls.certificates(cert).toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, new char[0]);
            keys = new KeyManager[] {new AlwaysPresenting((X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, TestCertificate.TRUST_ALL, null);
        return context;
    }

    /**
     * Presents its one certificate whatever CAs the server names: the JDK's own key manager sends none
     * that is not issued by one of them, and a server must be seen to refuse one.
     */
    private static final class AlwaysPresenting extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysPresenting(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    /** "STATUS BODY" of a GET over TLS; an IOException when the server refuses the handshake. */
    private static String get(SSLContext client, int port, String path) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.startHandshake();
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            Http.Response r = Http.parse(s.getInputStream());
            return r.status + " " + r.body.trim();
        }
    }

    private static String serverSubject(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** The cipher suite of a completed request from a client offering only {@code protocol} and {@code cipher}. */
    private static String handshake(int port, String protocol, String cipher) throws Exception {
        try (SSLSocket s = (SSLSocket) noCertificate.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(Http.TIMEOUT_MILLIS);
            s.setEnabledProtocols(new String[] {protocol});
            s.setEnabledCipherSuites(new String[] {cipher});
            s.startHandshake();
            s.getOutputStream().write("GET /pid HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(Http.parse(s.getInputStream()).status).isEqualTo(200);
            return s.getSession().getCipherSuite();
        }
    }
}
