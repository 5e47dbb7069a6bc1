package jp.sekisho.certs;

import org.bouncycastle.asn1.x509.CRLReason;

/** RFC 5280 revocation reasons, with the names the command line accepts. */
public enum RevocationReason {
    unspecified(CRLReason.unspecified),
    keyCompromise(CRLReason.keyCompromise),
    caCompromise(CRLReason.cACompromise),
    affiliationChanged(CRLReason.affiliationChanged),
    superseded(CRLReason.superseded),
    cessationOfOperation(CRLReason.cessationOfOperation),
    certificateHold(CRLReason.certificateHold),
    privilegeWithdrawn(CRLReason.privilegeWithdrawn);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
