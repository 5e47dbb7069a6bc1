package jp.sekisho.gateway.approval;

/**
 * Where the council's decision stands. EXPIRED is not stored: it follows from the date (see
 * {@link ApprovalState}).
 */
public enum ApprovalStatus {
    PENDING,
    APPROVED,
    APPROVED_WITH_CONDITIONS,
    REJECTED,
    SUSPENDED,
    REVOKED;

    /** Data may flow under this status (the period is checked separately). */
    public boolean permitsTransfers() {
        return this == APPROVED || this == APPROVED_WITH_CONDITIONS;
    }
}
