package jp.sekisho.gateway.policy;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.gateway.approval.Actor;

/** Who asks for a change, and from where: what every audit event of that change carries. */
public record Caller(
        AuditPrincipal principal, String sourceIp, Integer sourcePort, Integer listenerPort, String requestId) {

    public Actor actor() {
        return new Actor(principal.subject(), principal.sha256());
    }

    /** Fills the caller's fields into an audit event. */
    public AuditEvent.Builder stamp(AuditEvent.Builder b) {
        return b.principal(principal)
                .source(sourceIp, sourcePort)
                .listenerPort(listenerPort)
                .requestId(requestId);
    }
}
