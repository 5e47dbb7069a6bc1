package jp.sekisho.gateway.approval;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.input.Ids;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;

/**
 * The audit events {@link ApprovalService} writes, and what each one says. A change is committed
 * (APPROVAL_CHANGED: who, before, after, why) before it is stored, so it can never be in force
 * without its record, and a commit that fails (audit store down) stops the change; a change the
 * store then refuses is followed by an ERROR event saying it did not happen. Refusals are recorded
 * as REQUEST_DENIED with their reason code.
 */
final class ApprovalAudit {

    private final AuditLog log;

    ApprovalAudit(AuditLog log) {
        this.log = log;
    }

    /** A consultation recorded ({@code before} null) or edited, before it is stored. */
    void consultation(
            Caller caller, String ref, String action, ApprovalStatus before, ApprovalStatus after, String reason) {
        log.commit(changed(caller, ref)
                .detailJson(new Detail()
                        .put("action", action)
                        .put("before", before)
                        .put("after", after)
                        .put("by", caller.principal().subject())
                        .put("reason", reason)
                        .toString())
                .build());
    }

    /** A flow-opening decision recorded as waiting for a second member: the status does not change yet. */
    void awaiting(Caller caller, Approval before, String action, PendingDecision pending) {
        log.commit(changed(caller, before.ref())
                .detailJson(new Detail()
                        .put("action", action)
                        .put("before", before.status())
                        .put("after", before.status())
                        .put("awaiting", pending.decision().cliName())
                        .put("by", caller.principal().subject())
                        .put("reason", pending.reason())
                        .put("conditions", conditionsText(pending.conditions()))
                        .toString())
                .build());
    }

    /** A decision that takes effect now, with who decided and who confirmed. */
    void applied(Caller caller, String ref, String action, DecisionRecord d) {
        log.commit(changed(caller, ref)
                .detailJson(new Detail()
                        .put("action", action)
                        .put("decision", d.decision().cliName())
                        .put("before", d.before())
                        .put("after", d.after())
                        .put("by", d.by().subject())
                        .put(
                                "confirmedBy",
                                d.confirmedBy() == null ? null : d.confirmedBy().subject())
                        .put("reason", d.reason())
                        .put("conditions", conditionsText(d.conditions()))
                        .toString())
                .build());
    }

    /** The change committed above was not stored: someone changed the approval meanwhile. */
    Refused notStored(Caller caller, String ref, ApprovalRepository.ConcurrentChange e) {
        log.commit(caller.stamp(AuditEvent.of(EventType.APPROVAL_CHANGED, Outcome.ERROR))
                .reason("CONCURRENT_CHANGE")
                .approvalRef(ref)
                .detailJson(new Detail().put("error", e.getMessage()).toString())
                .build());
        return new Refused("CONCURRENT_CHANGE", e.getMessage());
    }

    /** Refuses a change to a row whose seal failed (only revoke may touch it). */
    Refused tampered(Caller caller, StoredApproval s, String action) {
        return deny(
                caller,
                s.approval().ref(),
                "APPROVAL_TAMPERED",
                "cannot " + action + " " + s.approval().ref() + ": its row was changed outside the gateway ("
                        + s.tamper() + "); only revoke is possible, then record it again under a new reference");
    }

    /** Records the refusal (queued, like every denial) and returns it. */
    Refused deny(Caller caller, String ref, String reason, String message) {
        log.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY))
                .reason(reason)
                // a reference breaking its grammar is not recorded as one (the audit store bounds its fields)
                .approvalRef(Ids.APPROVAL_REF.valid(ref) ? ref : null)
                .detailJson(new Detail().put("message", message).toString())
                .build());
        return new Refused(reason, message);
    }

    private static AuditEvent.Builder changed(Caller caller, String ref) {
        return caller.stamp(AuditEvent.of(EventType.APPROVAL_CHANGED, Outcome.ALLOW))
                .approvalRef(ref);
    }

    /** The conditions' text for an audit event, or null when the decision set none. */
    private static String conditionsText(Conditions c) {
        return c == null ? null : c.text();
    }
}
