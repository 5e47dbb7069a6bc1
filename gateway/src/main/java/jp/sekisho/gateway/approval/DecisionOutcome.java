package jp.sekisho.gateway.approval;

/** The result of asking for a decision: applied, parked for a second person, or refused with a reason code. */
public sealed interface DecisionOutcome {

    /** The decision took effect. */
    record Applied(Approval approval, DecisionRecord record) implements DecisionOutcome {}

    /** A flow-opening decision waits for a second secretariat member ({@code decide --confirm}). */
    record AwaitingConfirmation(Approval approval, PendingDecision pending) implements DecisionOutcome {}

    /**
     * Nothing changed.
     *
     * @param reason stable code: ILLEGAL_TRANSITION, APPROVAL_FINAL, SAME_PERSON, NOTHING_TO_CONFIRM, REASON_REQUIRED
     */
    record Refused(String reason, String message) implements DecisionOutcome {}
}
