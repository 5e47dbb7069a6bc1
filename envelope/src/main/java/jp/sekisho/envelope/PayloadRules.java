package jp.sekisho.envelope;

import java.security.cert.X509Certificate;
import java.util.Collection;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * The gateway's decision on an {@link Inspection}: AES-256-GCM (or AES-256-CBC when the route
 * allows it) for exactly the registered recipient certificates, every one of them and nobody else;
 * compressed content only where the route allows it.
 */
final class PayloadRules {

    private PayloadRules() {}

    /** See {@link EnvelopeInspector#check}. */
    static PayloadDecision check(
            Inspection inspection,
            Collection<X509Certificate> registeredRecipients,
            boolean allowCbc,
            boolean allowCompression) {
        if (!inspection.encrypted()) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                    "payload is not a CMS envelope (" + inspection.kind()
                            + (inspection.problem() != null ? ": " + inspection.problem() : "") + ")");
        }
        if (inspection.outsideProfile() != null) {
            boolean weak = inspection.contentCipherOid() != null
                    && ContentCipher.of(new ASN1ObjectIdentifier(inspection.contentCipherOid())) == null;
            return weak
                    ? new PayloadDecision.Refused(
                            PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                            "content cipher " + inspection.contentCipherName() + " is not accepted")
                    : new PayloadDecision.Refused(
                            PayloadRefusal.PAYLOAD_MALFORMED,
                            "envelope is outside the accepted profile: " + inspection.outsideProfile());
        }
        if (!inspection.headerOnly() && (!inspection.complete() || !inspection.contentPresent())) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                    "envelope is malformed or carries no encrypted content"
                            + (inspection.problem() != null ? ": " + inspection.problem() : ""));
        }
        ContentCipher cipher = inspection.contentCipherOid() == null
                ? null
                : ContentCipher.of(new ASN1ObjectIdentifier(inspection.contentCipherOid()));
        boolean strong = (inspection.kind() == EnvelopeKind.AUTH_ENVELOPED && cipher == ContentCipher.AES_256_GCM)
                || (inspection.kind() == EnvelopeKind.ENVELOPED && cipher == ContentCipher.AES_256_CBC && allowCbc);
        if (!strong) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                    "content cipher " + inspection.contentCipherName() + " is not accepted"
                            + (cipher == ContentCipher.AES_256_CBC ? " on this route (CBC not allowed)" : ""));
        }
        PayloadDecision decision = recipients(inspection, registeredRecipients);
        // last: a compressed envelope with a wrong cipher or recipients is refused for that, as before
        if (decision instanceof PayloadDecision.Accepted && inspection.compressed() && !allowCompression) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.COMPRESSION_NOT_ALLOWED,
                    "envelope is compressed (id-ct-compressedData) on a route with compression: false");
        }
        return decision;
    }

    private static PayloadDecision recipients(Inspection inspection, Collection<X509Certificate> registeredRecipients) {
        for (EnvelopeRecipient r : inspection.recipients()) {
            if (registeredRecipients.stream().noneMatch(r::matches)) {
                return new PayloadDecision.Refused(
                        PayloadRefusal.PAYLOAD_WRONG_RECIPIENT,
                        "envelope is also readable by an unregistered recipient: " + r);
            }
        }
        for (X509Certificate c : registeredRecipients) {
            if (inspection.recipients().stream().noneMatch(r -> r.matches(c))) {
                return new PayloadDecision.Refused(
                        PayloadRefusal.PAYLOAD_WRONG_RECIPIENT,
                        "envelope is not encrypted for registered recipient "
                                + c.getSubjectX500Principal().getName());
            }
        }
        if (registeredRecipients.isEmpty()) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, "route has no registered recipient");
        }
        return new PayloadDecision.Accepted(inspection);
    }
}
