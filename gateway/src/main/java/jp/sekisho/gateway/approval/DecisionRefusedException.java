package jp.sekisho.gateway.approval;

/**
 * A question about a decision that cannot be answered: {@link ApprovalService#preview} of an
 * unknown approval (APPROVAL_UNKNOWN) or of a decision that does not apply to it
 * (ILLEGAL_TRANSITION, APPROVAL_FINAL, APPROVAL_TAMPERED, ID_INVALID). Nothing changed.
 */
public final class DecisionRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public DecisionRefusedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The stable reason code (a {@code Reason} name). */
    public String reason() {
        return reason;
    }
}
