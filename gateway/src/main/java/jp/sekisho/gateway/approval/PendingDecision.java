package jp.sekisho.gateway.approval;

import java.time.Instant;

/**
 * A flow-opening decision made by one secretariat member, waiting for a second to confirm it.
 *
 * @param conditions the conditions given at the meeting with approve-with-conditions, stored on the
 *                   approval when the decision takes effect (the confirmer sees them first); null
 *                   when the decision gave none
 */
public record PendingDecision(Decision decision, Actor by, Instant at, String reason, Conditions conditions) {

    /** A decision that gives no conditions. */
    public PendingDecision(Decision decision, Actor by, Instant at, String reason) {
        this(decision, by, at, reason, null);
    }
}
