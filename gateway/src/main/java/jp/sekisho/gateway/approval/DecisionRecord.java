package jp.sekisho.gateway.approval;

import java.time.Instant;

/**
 * One line of an approval's history, kept for ever (also after expiry): who decided what, who
 * confirmed it, when, why, and the status before and after.
 *
 * @param confirmedBy the second person for flow-opening decisions; null otherwise
 * @param conditions  the conditions this decision set on the approval (approve-with-conditions);
 *                    null when it set none
 */
public record DecisionRecord(
        String ref,
        Decision decision,
        Actor by,
        Actor confirmedBy,
        Instant at,
        String reason,
        ApprovalStatus before,
        ApprovalStatus after,
        Conditions conditions) {

    /** A decision that set no conditions. */
    public DecisionRecord(
            String ref,
            Decision decision,
            Actor by,
            Actor confirmedBy,
            Instant at,
            String reason,
            ApprovalStatus before,
            ApprovalStatus after) {
        this(ref, decision, by, confirmedBy, at, reason, before, after, null);
    }
}
