package io.qilin.arbiter.tls;

import io.qilin.worker.Tls;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --certfile} and {@code --keyfile}, read as the workers will read them and checked: each
 * parses, the key belongs to the certificate, and the certificate is valid now. The master does
 * this before any worker starts (and {@code --check-config} does it too), so a bad file is one
 * error line, not a worker that fails every boot or every handshake.
 */
public final class TlsMaterial {
    /** A certificate that expires sooner than this gets a warning at start. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final X509Certificate certificate;

    private TlsMaterial(X509Certificate certificate) {
        this.certificate = certificate;
    }

    /**
     * Reads and checks the pair.
     *
     * @throws BadFile naming which of the two files is wrong and why
     */
    public static TlsMaterial load(Path certFile, Path keyFile, Instant now) {
        X509Certificate leaf;
        try {
            leaf = Tls.certificates(certFile).get(0);
        } catch (IOException | GeneralSecurityException e) {
            String why = reason(e);
            throw new BadFile(BadFile.Which.CERTFILE, why.equals(Tls.NOT_A_CERTIFICATE)
                    ? why + "; are certfile and keyfile swapped?" : why);
        }
        PrivateKey key;
        try {
            key = Tls.privateKey(keyFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new BadFile(BadFile.Which.KEYFILE, reason(e));
        }
        if (!matches(key, leaf.getPublicKey())) {
            throw new BadFile(BadFile.Which.KEYFILE, "the key does not belong to the certificate in " + certFile
                    + " (" + subject(leaf) + ")");
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new BadFile(BadFile.Which.CERTFILE, "the certificate (" + subject(leaf) + ") expired on "
                    + DATE.format(leaf.getNotAfter().toInstant()));
        }
        return new TlsMaterial(leaf);
    }

    /**
     * Reads and checks {@code --ca-certs}: a PEM bundle with at least one certificate.
     *
     * @return how many CAs it holds
     * @throws BadFile why it cannot be used
     */
    public static int loadCaCerts(Path caCerts) {
        try {
            return Tls.certificates(caCerts).size();
        } catch (IOException | GeneralSecurityException e) {
            throw new BadFile(BadFile.Which.CA_CERTS, reason(e));
        }
    }

    /**
     * Checks {@code --ciphers} against the suites this JVM supports and the protocols enabled.
     *
     * @return why the list cannot be used, or null when it can
     */
    public static String cipherProblem(List<String> ciphers, List<String> protocols) {
        List<String> unknown;
        try {
            unknown = Tls.unsupportedCiphers(ciphers);
        } catch (GeneralSecurityException e) {
            return "cannot list the JVM's cipher suites: " + reason(e);
        }
        if (!unknown.isEmpty()) {
            return "unknown cipher suite " + String.join(", ", unknown) + "; give JSSE names such as "
                    + "TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, not OpenSSL's";
        }
        if (!protocols.contains("TLSv1.2") && ciphers.stream().noneMatch(TlsMaterial::isTls13Suite)) {
            return "no TLS 1.3 cipher suite (TLS_AES_..., TLS_CHACHA20_...) while --tls-min-version is 1.3";
        }
        return null;
    }

    private static boolean isTls13Suite(String cipher) {
        return cipher.startsWith("TLS_AES_") || cipher.startsWith("TLS_CHACHA20_");
    }

    /** What deserves a warning line at start: a certificate about to expire, or not valid yet. */
    public List<String> warnings(Instant now) {
        List<String> out = new ArrayList<>();
        Instant notAfter = certificate.getNotAfter().toInstant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        if (now.plus(EXPIRY_WARNING).isAfter(notAfter)) {
            out.add("certfile: the certificate (" + subject(certificate) + ") expires on " + DATE.format(notAfter)
                    + ", in " + Duration.between(now, notAfter).toDays() + " days");
        }
        if (now.isBefore(notBefore)) {
            out.add("certfile: the certificate (" + subject(certificate) + ") is not valid until " + DATE.format(notBefore)
                    + "; clients will refuse it until then");
        }
        return out;
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, PublicKey certKey) {
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null || !sameFamily(key.getAlgorithm(), certKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        switch (keyAlgorithm) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            case "Ed25519":
            case "EdDSA":
                return "Ed25519";
            default:
                return null;
        }
    }

    private static boolean sameFamily(String a, String b) {
        return a.equals(b) || (a.startsWith("Ed") && b.startsWith("Ed"));
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A certificate or key file that cannot be used: which one, and why. */
    public static final class BadFile extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** The setting that names the bad file. */
        public enum Which { CERTFILE, KEYFILE, CA_CERTS }

        private final Which which;

        BadFile(Which which, String why) {
            super(why);
            this.which = which;
        }

        public Which which() {
            return which;
        }
    }
}
