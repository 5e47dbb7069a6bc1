package jp.sekisho.gateway.approval;

import java.time.Instant;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;

/**
 * The status machine of an approval, with the two-person rule:
 * <pre>
 *   PENDING  --approve / approve-with-conditions-->  APPROVED / APPROVED_WITH_CONDITIONS   (needs a 2nd person)
 *   PENDING  --reject-->                             REJECTED
 *   APPROVED* --suspend-->  SUSPENDED  --reinstate-->  the APPROVED* it was             (reinstate needs a 2nd person)
 *   any      --revoke-->    REVOKED (final)
 * </pre>
 * Pure: takes the current approval and returns the outcome; storing it is someone else's job.
 */
public final class ApprovalPolicy {

    private final boolean twoPersonRule;

    /** @param twoPersonRule on by default; off only for a single-person office, by configuration */
    public ApprovalPolicy(boolean twoPersonRule) {
        this.twoPersonRule = twoPersonRule;
    }

    public boolean twoPersonRule() {
        return twoPersonRule;
    }

    public DecisionOutcome decide(Approval a, Decision d, Actor actor, String reason, Instant now) {
        if (reason == null || reason.isBlank()) {
            return new Refused("REASON_REQUIRED", "every decision needs a reason (--reason)");
        }
        if (a.status() == ApprovalStatus.REVOKED) {
            return new Refused("APPROVAL_FINAL", a.ref() + " is REVOKED, which is final; a new consultation is needed");
        }
        ApprovalStatus next = target(a, d);
        if (next == null) {
            return new Refused(
                    "ILLEGAL_TRANSITION", "cannot " + d.cliName() + " " + a.ref() + " while it is " + a.status());
        }
        if (d.opensFlow() && twoPersonRule) {
            PendingDecision p = new PendingDecision(d, actor, now, reason);
            return new AwaitingConfirmation(a.withPending(p), p);
        }
        return apply(a, d, actor, null, reason, now, next);
    }

    /** A second secretariat member confirms the pending decision; nobody confirms their own. */
    public DecisionOutcome confirm(Approval a, Actor actor, String reason, Instant now) {
        PendingDecision p = a.pending();
        if (p == null) {
            return new Refused("NOTHING_TO_CONFIRM", a.ref() + " has no decision waiting for confirmation");
        }
        if (p.by().samePersonAs(actor)) {
            return new Refused(
                    "SAME_PERSON",
                    "the " + p.decision().cliName() + " of " + a.ref() + " was made by " + p.by().subject()
                            + "; a second secretariat member must confirm it");
        }
        ApprovalStatus next = target(a, p.decision());
        if (next == null || a.status() == ApprovalStatus.REVOKED) {
            return new Refused(
                    "ILLEGAL_TRANSITION",
                    "the pending " + p.decision().cliName() + " no longer applies: " + a.ref() + " is " + a.status());
        }
        String why = reason == null || reason.isBlank() ? p.reason() : p.reason() + " / " + reason;
        return apply(a, p.decision(), p.by(), actor, why, now, next);
    }

    private static Applied apply(
            Approval a, Decision d, Actor by, Actor confirmedBy, String reason, Instant now, ApprovalStatus next) {
        ApprovalStatus resumeTo = next == ApprovalStatus.SUSPENDED ? a.status() : null;
        // Stopping decisions clear a pending opening one: it was made about a state that no longer holds.
        Approval after = a.withStatus(next, resumeTo, null);
        return new Applied(after, new DecisionRecord(a.ref(), d, by, confirmedBy, now, reason, a.status(), next));
    }

    /** The status a decision leads to from the current one, or null when the transition is illegal. */
    private static ApprovalStatus target(Approval a, Decision d) {
        ApprovalStatus s = a.status();
        return switch (d) {
            case APPROVE -> s == ApprovalStatus.PENDING ? ApprovalStatus.APPROVED : null;
            case APPROVE_WITH_CONDITIONS ->
                s == ApprovalStatus.PENDING ? ApprovalStatus.APPROVED_WITH_CONDITIONS : null;
            case REJECT -> s == ApprovalStatus.PENDING ? ApprovalStatus.REJECTED : null;
            case SUSPEND -> s.permitsTransfers() ? ApprovalStatus.SUSPENDED : null;
            case REINSTATE -> s == ApprovalStatus.SUSPENDED ? a.beforeSuspension() : null;
            case REVOKE -> s == ApprovalStatus.REVOKED ? null : ApprovalStatus.REVOKED;
        };
    }
}
