package io.qilin.worker;

import io.qilin.worker.protocol.WorkerEnv;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for every kind from {@code --certfile} and {@code --keyfile}: a PEM certificate chain and an
 * unencrypted PEM key, PKCS#8 (what {@code openssl req -nodes} writes; RSA, EC or Ed25519) or PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}). The master reads both with the same methods before any worker starts.
 * The one place that turns the TLS settings into JSSE objects: {@link #serverContext} (the key and, with
 * {@code --ca-certs}, the CAs that client certificates are verified against) and {@link #serverParameters}
 * (protocols, cipher suites and whether a client certificate is asked for); every kind uses both.
 */
public final class Tls {
    /** What {@link #certificates} says of a file holding a private key instead. */
    public static final String NOT_A_CERTIFICATE = "a private key, not a certificate";
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PKCS8 = "PRIVATE KEY";
    private static final String PKCS1_RSA = "RSA PRIVATE KEY";
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }: wraps a PKCS#1 RSA key into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Tls() {
    }

    /** True when the master asked for TLS. */
    public static boolean enabled(WorkerConfig config) {
        return !config.get(WorkerEnv.CERTFILE).isEmpty();
    }

    /** {@code --cert-reqs}: whether the server asks for a client certificate, and whether it must be sent. */
    public enum ClientAuth {
        /** Not asked for. */
        NONE,
        /** Asked for, and verified against {@code --ca-certs} when sent. */
        OPTIONAL,
        /** Asked for and verified; without one the handshake fails. */
        REQUIRED;

        /** none, optional or required (any case), or Gunicorn's numbers 0, 1 and 2; null for anything else. */
        public static ClientAuth parse(String value) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "none":
                case "0":
                    return NONE;
                case "optional":
                case "1":
                    return OPTIONAL;
                case "required":
                case "2":
                    return REQUIRED;
                default:
                    return null;
            }
        }
    }

    /** A server {@link SSLContext} for the configured certificate and key, trusting {@code --ca-certs} for clients. */
    public static SSLContext serverContext(WorkerConfig config) throws IOException, GeneralSecurityException {
        String caCerts = config.get(WorkerEnv.CA_CERTS);
        return serverContext(Path.of(config.get(WorkerEnv.CERTFILE)), Path.of(config.get(WorkerEnv.KEYFILE)),
                caCerts.isEmpty() ? null : Path.of(caCerts));
    }

    public static SSLContext serverContext(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        return serverContext(certFile, keyFile, null);
    }

    /** {@code caCerts} null: client certificates are verified against the JDK's default CAs. */
    public static SSLContext serverContext(Path certFile, Path keyFile, Path caCerts)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("qilin", key, none, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), caCerts == null ? null : trustManagers(caCerts).getTrustManagers(), null);
        return ctx;
    }

    /** The CAs of a PEM bundle ({@code --ca-certs}), as the trust that client certificates are verified against. */
    public static TrustManagerFactory trustManagers(Path caCerts) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (X509Certificate ca : certificates(caCerts)) {
            store.setCertificateEntry("ca-" + n++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf;
    }

    /**
     * The handshake's parameters from {@code --tls-min-version}, {@code --ciphers} and {@code --cert-reqs}:
     * protocols always set, cipher suites only when configured (else the JDK's defaults).
     */
    public static SSLParameters serverParameters(WorkerConfig config) {
        SSLParameters params = new SSLParameters();
        params.setProtocols(protocols(config.get(WorkerEnv.TLS_MIN_VERSION)).toArray(new String[0]));
        List<String> ciphers = ciphers(config.get(WorkerEnv.CIPHERS));
        if (!ciphers.isEmpty()) {
            params.setCipherSuites(ciphers.toArray(new String[0]));
        }
        params.setUseCipherSuitesOrder(true);
        ClientAuth auth = ClientAuth.parse(config.get(WorkerEnv.CERT_REQS));
        // each setter clears the other
        if (auth == ClientAuth.REQUIRED) {
            params.setNeedClientAuth(true);
        } else if (auth == ClientAuth.OPTIONAL) {
            params.setWantClientAuth(true);
        }
        return params;
    }

    /** The protocols enabled from a minimum version, {@code 1.2} or {@code 1.3}, newest first. */
    public static List<String> protocols(String minVersion) {
        return "1.3".equals(minVersion.trim()) ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2");
    }

    /** {@code --ciphers}: JSSE cipher suite names separated by commas, colons or spaces; empty for the defaults. */
    public static List<String> ciphers(String list) {
        List<String> out = new ArrayList<>();
        for (String name : list.split("[,:\\s]+")) {
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** The names among {@code ciphers} this JVM does not support (an OpenSSL name, a typo). */
    public static List<String> unsupportedCiphers(List<String> ciphers) throws GeneralSecurityException {
        List<String> supported = List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        List<String> out = new ArrayList<>();
        for (String c : ciphers) {
            if (!supported.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * The certificates of a PEM file, the server's own first.
     *
     * @throws GeneralSecurityException with a message saying what the file holds instead (it does not repeat the path)
     */
    public static List<X509Certificate> certificates(Path certFile) throws IOException, GeneralSecurityException {
        String pem = Files.readString(certFile, StandardCharsets.ISO_8859_1);
        if (!pem.contains(begin(CERTIFICATE))) {
            if (pem.contains("PRIVATE KEY-----")) {
                throw new GeneralSecurityException(NOT_A_CERTIFICATE);
            }
            throw new GeneralSecurityException("no PEM certificate in it (" + begin(CERTIFICATE) + ")");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1)))) {
                chain.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new GeneralSecurityException("the certificate cannot be parsed: " + rootMessage(e), e);
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in it (" + begin(CERTIFICATE) + ")");
        }
        return chain;
    }

    /**
     * The unencrypted private key of a PEM file: PKCS#8, or an RSA key in PKCS#1.
     *
     * @throws GeneralSecurityException with a message saying what is wrong and, for a key Java cannot read, the
     *     openssl command that converts it (it does not repeat the path)
     */
    public static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
        String pem = Files.readString(keyFile, StandardCharsets.ISO_8859_1);
        String convert = "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out " + keyFile + ".pk8";
        byte[] der;
        if (pem.contains(begin(PKCS8))) {
            der = pemBody(pem, PKCS8);
        } else if (pem.contains(begin(PKCS1_RSA))) {
            der = pkcs8OfRsa(pemBody(pem, PKCS1_RSA));
        } else if (pem.contains(begin("ENCRYPTED PRIVATE KEY")) || pem.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new GeneralSecurityException("an encrypted key; Qilin needs it unencrypted" + convert);
        } else if (pem.contains("-----BEGIN ") && pem.contains(" PRIVATE KEY-----")) {
            throw new GeneralSecurityException("a key in a form Java cannot read" + convert);
        } else if (pem.contains(begin(CERTIFICATE))) {
            throw new GeneralSecurityException("a certificate, not a private key; are certfile and keyfile swapped?");
        } else {
            throw new GeneralSecurityException("no PEM private key in it (" + begin(PKCS8) + ")");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                last = e instanceof GeneralSecurityException ? (GeneralSecurityException) e
                        : new GeneralSecurityException(e.getMessage(), e);
            }
        }
        throw new GeneralSecurityException("the key cannot be parsed: " + rootMessage(last), last);
    }

    private static String begin(String label) {
        return "-----BEGIN " + label + "-----";
    }

    private static byte[] pemBody(String pem, String label) throws GeneralSecurityException {
        int start = pem.indexOf(begin(label)) + begin(label).length();
        int end = pem.indexOf("-----END " + label + "-----", start);
        if (end < 0) {
            throw new GeneralSecurityException("the PEM block has no -----END " + label + "----- line");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(start, end));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the PEM block is not valid base64", e);
        }
    }

    /** PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING pkcs1 }. */
    private static byte[] pkcs8OfRsa(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        if (length < 0x100) {
            return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        }
        if (length < 0x10000) {
            return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[] {(byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
