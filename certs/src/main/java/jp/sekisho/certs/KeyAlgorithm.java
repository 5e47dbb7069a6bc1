package jp.sekisho.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;

/**
 * Key types the PKI issues. EC P-256 is the default for the CA and TLS certificates: small,
 * fast to sign and verify, and supported by every TLS 1.2/1.3 stack and OpenSSL. RSA-3072 is
 * the default for recipient (encryption) certificates, since RSA-OAEP key transport in CMS is what
 * contractors' older OpenSSL and other CMS tools decrypt most reliably.
 */
public enum KeyAlgorithm {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_3072("RSA", "SHA256withRSA");

    private final String jcaName;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaName, String signatureAlgorithm) {
        this.jcaName = jcaName;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance(jcaName);
            if (this == EC_P256) {
                gen.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                gen.initialize(3072);
            }
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + this + " key", e);
        }
    }

    /** The signature algorithm a key of this type signs certificates and CRLs with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public static KeyAlgorithm of(PublicKey key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> EC_P256;
            case "RSA" -> RSA_3072;
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
        };
    }
}
