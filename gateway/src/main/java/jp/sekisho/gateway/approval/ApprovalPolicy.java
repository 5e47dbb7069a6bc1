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
 *   PENDING  --withdraw-->                           WITHDRAWN (final; entered by mistake)
 *   APPROVED* --suspend-->  SUSPENDED  --reinstate-->  the APPROVED* it was             (reinstate needs a 2nd person)
 *   any but WITHDRAWN --revoke-->    REVOKED (final)
 * </pre>
 * approve-with-conditions carries the conditions given at the meeting (or keeps those entered with
 * the consultation); they are set on the approval when the decision takes effect.
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

    /** A decision that gives no conditions. */
    public DecisionOutcome decide(Approval a, Decision d, Actor actor, String reason, Instant now) {
        return decide(a, d, actor, reason, null, now);
    }

    /**
     * @param conditions the conditions given with approve-with-conditions; null (or {@link Conditions#isEmpty()})
     *                   for none, and then approve-with-conditions keeps the consultation's, which must have text
     */
    public DecisionOutcome decide(
            Approval a, Decision d, Actor actor, String reason, Conditions conditions, Instant now) {
        if (reason == null || reason.isBlank()) {
            return new Refused("REASON_REQUIRED", "every decision needs a reason (--reason)");
        }
        if (a.status().isFinal()) {
            return finalStatus(a);
        }
        Conditions given = conditions == null || conditions.isEmpty() ? null : conditions;
        Refused noConditions = conditionsProblem(a, d, given);
        if (noConditions != null) {
            return noConditions;
        }
        ApprovalStatus next = target(a, d);
        if (next == null) {
            return new Refused(
                    "ILLEGAL_TRANSITION", "cannot " + d.cliName() + " " + a.ref() + " while it is " + a.status());
        }
        if (d.opensFlow() && twoPersonRule) {
            PendingDecision p = new PendingDecision(d, actor, now, reason, given);
            return new AwaitingConfirmation(a.withPending(p), p);
        }
        return apply(a, d, actor, null, reason, now, next, given);
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
        if (next == null || a.status().isFinal()) {
            return new Refused(
                    "ILLEGAL_TRANSITION",
                    "the pending " + p.decision().cliName() + " no longer applies: " + a.ref() + " is " + a.status());
        }
        String why = reason == null || reason.isBlank() ? p.reason() : p.reason() + " / " + reason;
        return apply(a, p.decision(), p.by(), actor, why, now, next, p.conditions());
    }

    /**
     * What the approval would become if {@code d} took effect now (as if confirmed), without the
     * checks on reason and conditions: what a preview shows. Refused as {@link #decide} would refuse
     * the transition itself.
     */
    public DecisionOutcome effect(Approval a, Decision d, Actor actor, Instant now) {
        if (a.status().isFinal()) {
            return finalStatus(a);
        }
        ApprovalStatus next = target(a, d);
        if (next == null) {
            return new Refused(
                    "ILLEGAL_TRANSITION", "cannot " + d.cliName() + " " + a.ref() + " while it is " + a.status());
        }
        return apply(a, d, actor, null, "preview", now, next, null);
    }

    /** Conditions go with approve-with-conditions only, and it needs their text (given now or with the consultation). */
    private static Refused conditionsProblem(Approval a, Decision d, Conditions given) {
        if (d == Decision.APPROVE_WITH_CONDITIONS) {
            Conditions effective = given != null ? given : a.conditions();
            if (effective.text().isBlank()) {
                return new Refused(
                        "CONDITIONS_REQUIRED",
                        "条件付き承認には条件の本文が必要です / approve-with-conditions needs the conditions as "
                                + "minuted (--conditions TEXT)");
            }
            return null;
        }
        if (given != null) {
            return new Refused(
                    "CONDITIONS_REQUIRED",
                    "条件は条件付き承認にのみ付けられます / conditions go only with approve-with-conditions, not with " + d.cliName());
        }
        return null;
    }

    private static Refused finalStatus(Approval a) {
        return new Refused(
                "APPROVAL_FINAL", a.ref() + " is " + a.status() + ", which is final; a new consultation is needed");
    }

    private static Applied apply(
            Approval a,
            Decision d,
            Actor by,
            Actor confirmedBy,
            String reason,
            Instant now,
            ApprovalStatus next,
            Conditions conditions) {
        ApprovalStatus resumeTo = next == ApprovalStatus.SUSPENDED ? a.status() : null;
        // Stopping decisions clear a pending opening one: it was made about a state that no longer holds.
        Approval after = a.withStatus(next, resumeTo, null, conditions == null ? a.conditions() : conditions);
        return new Applied(
                after, new DecisionRecord(a.ref(), d, by, confirmedBy, now, reason, a.status(), next, conditions));
    }

    /** The status a decision leads to from the current one, or null when the transition is illegal. */
    private static ApprovalStatus target(Approval a, Decision d) {
        ApprovalStatus s = a.status();
        return switch (d) {
            case APPROVE -> s == ApprovalStatus.PENDING ? ApprovalStatus.APPROVED : null;
            case APPROVE_WITH_CONDITIONS ->
                s == ApprovalStatus.PENDING ? ApprovalStatus.APPROVED_WITH_CONDITIONS : null;
            case REJECT -> s == ApprovalStatus.PENDING ? ApprovalStatus.REJECTED : null;
            case WITHDRAW -> s == ApprovalStatus.PENDING ? ApprovalStatus.WITHDRAWN : null;
            case SUSPEND -> s.permitsTransfers() ? ApprovalStatus.SUSPENDED : null;
            case REINSTATE -> s == ApprovalStatus.SUSPENDED ? a.beforeSuspension() : null;
            case REVOKE -> s.isFinal() ? null : ApprovalStatus.REVOKED;
        };
    }
}
