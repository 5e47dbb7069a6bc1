package jp.sekisho.gateway.tls;

import java.security.cert.CertificateException;
import jp.sekisho.audit.AuditPrincipal;

/**
 * A client certificate the gateway refuses, with the stable reason code and what the presented
 * certificate claims (for the audit event; null when nothing was presented).
 */
public final class CertificateRejectedException extends CertificateException {

    private final String reason;
    private final transient AuditPrincipal presented;

    public CertificateRejectedException(String reason, AuditPrincipal presented, String message) {
        super(reason + ": " + message);
        this.reason = reason;
        this.presented = presented;
    }

    public String reason() {
        return reason;
    }

    public AuditPrincipal presented() {
        return presented;
    }
}
