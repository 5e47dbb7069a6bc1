package jp.sekisho.envelope;

import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * The one envelope profile Sekisho accepts, for the gateway's inspection and for {@code open}
 * alike: what {@link Sealer} and {@code openssl cms -encrypt} write, and nothing else a CMS parser
 * would also take. Every field that could carry bytes in the clear (originatorInfo with its
 * certificates and CRLs, authenticated or unauthenticated attributes, unprotectedAttrs) is refused,
 * and every field has a bound, so that neither plaintext nor an outsized structure rides along with
 * a valid ciphertext. The structure is checked as the bytes go by ({@link ProfileWalk}), the
 * header's values once parsed ({@link #contentAlgorithm}, {@link RecipientInfos}).
 *
 * <p>A violation is refused as {@link PayloadRefusal#PAYLOAD_MALFORMED} by the gateway and as
 * {@link EnvelopeException.Reason#PAYLOAD_MALFORMED} by {@code open}.
 */
final class EnvelopeProfile {

    /** One batch goes to one contractor, a few of its systems at most; 16 leaves room for key roll-overs. */
    static final int MAX_RECIPIENTS = 16;
    /** RSA-8192 wraps the content key into 1,024 bytes; ECDH's AES key wrap into 40. */
    static final int MAX_ENCRYPTED_KEY_BYTES = 1024;
    /** Real OIDs take under 30 bytes (a 2.25 UUID OID about 20); 64 is twice that. */
    static final int MAX_OID_BYTES = 64;
    /**
     * Everything before the ciphertext: 16 recipients of about 1.5 KB (RSA-8192 key, issuer name,
     * OAEP parameters) take 24 KB; openssl's and our own single-recipient headers take under 1 KB.
     */
    static final int MAX_HEADER_BYTES = 128 * 1024;
    /** The envelope's deepest field (an issuer name's attribute value) is at depth 9; 24 allows explicit EC curves. */
    static final int MAX_DEPTH = 24;
    /** Streamed envelopes open 5 indefinite lengths (ContentInfo, [0], the envelope, its content info, the ciphertext). */
    static final int MAX_INDEFINITE_DEPTH = 8;
    /** The ciphertext's BER chunks may be chunked once more (legal BER, the inspector reads it); no deeper. */
    static final int MAX_CIPHERTEXT_NESTING = 2;
    /** RFC 5084: a 12-byte nonce is the one GCM is designed for, and what OpenSSL and BouncyCastle write. */
    static final int GCM_NONCE_BYTES = 12;
    /** The full 128-bit tag: RFC 5084's default of 12 bytes (absent parameter) is refused, and so are shorter ones. */
    static final int GCM_ICV_BYTES = 16;
    /**
     * authAttrs hold only the content-type attribute RFC 5083 requires of non-data content (30 bytes
     * for id-ct-compressedData); anything longer carries something else.
     */
    static final int MAX_AUTH_ATTRS_BYTES = 64;
    /** AES-CBC's IV is one block. */
    static final int CBC_IV_BYTES = 16;

    private EnvelopeProfile() {}

    /**
     * Why the content-encryption algorithm's parameters are outside the profile, or null. Only the
     * accepted ciphers are looked at; any other is refused as a weak cipher by its OID.
     */
    static String contentAlgorithm(AlgorithmIdentifier alg) {
        ASN1ObjectIdentifier oid = alg.getAlgorithm();
        ASN1Encodable params = alg.getParameters();
        try {
            if (ContentCipher.AES_256_GCM.oid().equals(oid)) {
                return gcm(params);
            }
            if (ContentCipher.AES_256_CBC.oid().equals(oid)) {
                if (params == null || ASN1OctetString.getInstance(params).getOctets().length != CBC_IV_BYTES) {
                    return "AES-256-CBC parameters are not one " + CBC_IV_BYTES + "-byte IV";
                }
            }
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            return "unreadable content-encryption parameters: " + e.getMessage();
        }
    }

    private static String gcm(ASN1Encodable params) {
        if (params == null) {
            return "AES-256-GCM without parameters";
        }
        ASN1Sequence seq = ASN1Sequence.getInstance(params);
        if (seq.size() != 2) {
            return "AES-256-GCM parameters without an explicit ICV length of " + GCM_ICV_BYTES
                    + " (RFC 5084's default is 12)";
        }
        int nonce = ASN1OctetString.getInstance(seq.getObjectAt(0)).getOctets().length;
        if (nonce != GCM_NONCE_BYTES) {
            return "AES-256-GCM nonce of " + nonce + " bytes (" + GCM_NONCE_BYTES + " required)";
        }
        BigInteger icv = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
        if (!icv.equals(BigInteger.valueOf(GCM_ICV_BYTES))) {
            return "AES-256-GCM ICV length of " + icv + " bytes (" + GCM_ICV_BYTES + " required)";
        }
        return null;
    }

    /** The message of a refusal, Japanese first: what {@code open} and its callers show a person. */
    static String message(String why) {
        return "封筒の構造が受け入れ可能な形式ではありません / the envelope is outside the accepted profile: " + why;
    }
}
