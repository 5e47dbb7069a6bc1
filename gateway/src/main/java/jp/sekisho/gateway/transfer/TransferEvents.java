package jp.sekisho.gateway.transfer;

import java.nio.file.Path;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.route.RouteAccess.Admitted;

/** The audit events of transfers, built alike wherever a transfer changes, and the log they go to. */
final class TransferEvents {

    private final AuditLog audit;
    private final String node;

    TransferEvents(AuditLog audit, String node) {
        this.audit = audit;
        this.node = node;
    }

    AuditLog log() {
        return audit;
    }

    /** An event of transfer {@code t}, stamped with the caller when there is one (none for the gateway's own steps). */
    AuditEvent.Builder event(EventType type, Outcome outcome, Transfer t, Caller caller) {
        AuditEvent.Builder b = AuditEvent.of(type, outcome);
        if (caller != null) {
            caller.stamp(b);
        }
        return b.transferId(t.id())
                .routeId(t.routeId())
                .approvalRef(t.approvalRef())
                .bytes(t.length())
                .payloadSha256(t.sha256());
    }

    /** Records a refused upload request (no transfer exists yet) and returns the problem to answer. */
    TransferProblem deny(Caller caller, Admitted a, Reason reason, String message) {
        audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY))
                .reason(reason.code())
                .routeId(a.route().id())
                .approvalRef(a.approval().ref())
                .detailJson(new Detail()
                        .put("action", "upload")
                        .put("message", message)
                        .toString())
                .build());
        return new TransferProblem(reason, message).markAudited();
    }

    /** Records a spool file that no live transfer accounts for (deleted at start-up); {@code t} may be null. */
    void orphan(Path file, Transfer t) {
        AuditEvent.Builder b = AuditEvent.of(EventType.TRANSFER_ABORTED, Outcome.ERROR)
                .reason("SPOOL_ORPHAN")
                .detailJson(new Detail()
                        .put("file", file.getFileName())
                        .put("node", node)
                        .toString());
        if (t != null) {
            b.transferId(t.id()).routeId(t.routeId()).approvalRef(t.approvalRef());
        }
        audit.record(b.build());
    }
}
