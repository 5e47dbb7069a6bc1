package jp.sekisho.envelope;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.cms.CMSAlgorithm;

/** The content ciphers Sekisho writes. GCM is the default; CBC only for peers whose OpenSSL predates 3.0. */
@SuppressWarnings("ImmutableEnumChecker") // ASN1ObjectIdentifier is immutable; BouncyCastle does not annotate it
public enum ContentCipher {
    /** AuthEnvelopedData (RFC 5083): integrity comes from the GCM tag. */
    AES_256_GCM(CMSAlgorithm.AES256_GCM, "AES-256-GCM"),
    /** EnvelopedData: no integrity of its own; the inner signature is the only tamper check. */
    AES_256_CBC(CMSAlgorithm.AES256_CBC, "AES-256-CBC");

    private final ASN1ObjectIdentifier oid;
    private final String displayName;

    ContentCipher(ASN1ObjectIdentifier oid, String displayName) {
        this.oid = oid;
        this.displayName = displayName;
    }

    public ASN1ObjectIdentifier oid() {
        return oid;
    }

    public String displayName() {
        return displayName;
    }

    /** The cipher for an algorithm OID, or null when it is not one we accept. */
    public static ContentCipher of(ASN1ObjectIdentifier oid) {
        for (ContentCipher c : values()) {
            if (c.oid.equals(oid)) {
                return c;
            }
        }
        return null;
    }
}
