package jp.sekisho.envelope;

import java.util.Map;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/** Names a content-encryption algorithm and its key bits for an {@link Inspection}; unknown ones by OID, 0 bits. */
final class CipherNames {

    /** OID → (name, key bits) for the content ciphers we can name; anything else is reported by OID. */
    private static final Map<String, Named> CIPHERS = Map.ofEntries(
            Map.entry("1.2.840.113549.3.7", new Named("DES-EDE3-CBC", 168)),
            Map.entry("1.3.14.3.2.7", new Named("DES-CBC", 56)),
            Map.entry("1.2.840.113549.3.2", new Named("RC2-CBC", 0)),
            Map.entry("2.16.840.1.101.3.4.1.2", new Named("AES-128-CBC", 128)),
            Map.entry("2.16.840.1.101.3.4.1.22", new Named("AES-192-CBC", 192)),
            Map.entry("2.16.840.1.101.3.4.1.42", new Named("AES-256-CBC", 256)),
            Map.entry("2.16.840.1.101.3.4.1.6", new Named("AES-128-GCM", 128)),
            Map.entry("2.16.840.1.101.3.4.1.26", new Named("AES-192-GCM", 192)),
            Map.entry("2.16.840.1.101.3.4.1.46", new Named("AES-256-GCM", 256)),
            Map.entry("2.16.840.1.101.3.4.1.7", new Named("AES-128-CCM", 128)),
            Map.entry("2.16.840.1.101.3.4.1.27", new Named("AES-192-CCM", 192)),
            Map.entry("2.16.840.1.101.3.4.1.47", new Named("AES-256-CCM", 256)));

    /** A cipher's display name and key bits (0 when unknown or not acceptable). */
    record Named(String name, int bits) {}

    private CipherNames() {}

    /**
     * The name and key bits of {@code alg}. A GCM tag shorter than 96 bits, or unreadable GCM
     * parameters, give a suffixed name and 0 bits, so that the payload rules refuse it.
     */
    static Named of(AlgorithmIdentifier alg) {
        String oid = alg.getAlgorithm().getId();
        Named c = CIPHERS.getOrDefault(oid, new Named(oid, 0));
        if (c.name.endsWith("GCM") && alg.getParameters() != null) {
            try {
                int icv = GCMParameters.getInstance(alg.getParameters()).getIcvLen();
                if (icv < 12) { // a short tag is as good as a weak cipher
                    return new Named(c.name + "/tag" + icv * 8, 0);
                }
            } catch (IllegalArgumentException e) {
                return new Named(c.name + "/bad-params", 0);
            }
        }
        return c;
    }
}
