package jp.sekisho.certs;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** What a person checks on a certificate, in one record (for {@code certs show} and logs). */
public record CertificateSummary(
        String subject,
        String issuer,
        String serial,
        Instant notBefore,
        Instant notAfter,
        String keyAlgorithm,
        List<String> keyUsage,
        List<String> extendedKeyUsage,
        List<String> subjectAltNames,
        boolean ca,
        String sha256) {

    private static final String[] KEY_USAGE_NAMES = {
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly"
    };
    private static final Map<String, String> EKU_NAMES = Map.of(
            "1.3.6.1.5.5.7.3.1", "serverAuth",
            "1.3.6.1.5.5.7.3.2", "clientAuth",
            "1.3.6.1.5.5.7.3.3", "codeSigning",
            "1.3.6.1.5.5.7.3.4", "emailProtection",
            "1.3.6.1.5.5.7.3.8", "timeStamping",
            "1.3.6.1.5.5.7.3.9", "OCSPSigning");

    public static CertificateSummary of(X509Certificate c) {
        List<String> ku = new ArrayList<>();
        boolean[] bits = c.getKeyUsage();
        if (bits != null) {
            for (int i = 0; i < bits.length && i < KEY_USAGE_NAMES.length; i++) {
                if (bits[i]) {
                    ku.add(KEY_USAGE_NAMES[i]);
                }
            }
        }
        List<String> eku = new ArrayList<>();
        List<String> sans = new ArrayList<>();
        try {
            if (c.getExtendedKeyUsage() != null) {
                c.getExtendedKeyUsage().forEach(oid -> eku.add(EKU_NAMES.getOrDefault(oid, oid)));
            }
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) {
                    int type = (Integer) san.get(0);
                    sans.add((type == 2 ? "DNS:" : type == 7 ? "IP:" : type + ":") + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            throw new PkiException("unreadable certificate extensions: " + e.getMessage(), e);
        }
        return new CertificateSummary(
                c.getSubjectX500Principal().getName(),
                c.getIssuerX500Principal().getName(),
                c.getSerialNumber().toString(16),
                c.getNotBefore().toInstant(),
                c.getNotAfter().toInstant(),
                c.getPublicKey().getAlgorithm(),
                ku,
                eku,
                sans,
                c.getBasicConstraints() >= 0,
                sha256(c));
    }

    /** SHA-256 of the DER encoding, lower-case hex: the fingerprint used in audit events and config. */
    public static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
