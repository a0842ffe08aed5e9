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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS for every kind from {@code --certfile} and {@code --keyfile}: a PEM certificate chain and an
 * unencrypted PEM key, PKCS#8 (what {@code openssl req -nodes} writes; RSA, EC or Ed25519) or PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}). The master reads both with the same methods before any worker starts.
 */
public final class Tls {
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

    /** A server {@link SSLContext} for the configured certificate and key. */
    public static SSLContext serverContext(WorkerConfig config) throws IOException, GeneralSecurityException {
        return serverContext(Path.of(config.get(WorkerEnv.CERTFILE)), Path.of(config.get(WorkerEnv.KEYFILE)));
    }

    public static SSLContext serverContext(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] none = new char[0];
        store.setKeyEntry("qilin", key, none, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, none);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
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
                throw new GeneralSecurityException("a private key, not a certificate; are certfile and keyfile swapped?");
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
