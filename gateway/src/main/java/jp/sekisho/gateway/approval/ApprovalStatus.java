package jp.sekisho.gateway.approval;

/**
 * Where the council's decision stands. EXPIRED is not stored: it follows from the date (see
 * {@link ApprovalState}). REVOKED and WITHDRAWN are final.
 */
public enum ApprovalStatus {
    PENDING("承認待ち", "pending"),
    APPROVED("承認", "approved"),
    APPROVED_WITH_CONDITIONS("条件付き承認", "approved with conditions"),
    REJECTED("不承認", "rejected"),
    SUSPENDED("停止中", "suspended"),
    REVOKED("取消し", "revoked"),
    /** A PENDING record withdrawn as entered by mistake; nothing ever flowed under it. */
    WITHDRAWN("取下げ", "withdrawn");

    private final String japanese;
    private final String english;

    ApprovalStatus(String japanese, String english) {
        this.japanese = japanese;
        this.english = english;
    }

    /** 条件付き承認 */
    public String japanese() {
        return japanese;
    }

    /** approved with conditions */
    public String english() {
        return english;
    }

    /** Data may flow under this status (the period is checked separately). */
    public boolean permitsTransfers() {
        return this == APPROVED || this == APPROVED_WITH_CONDITIONS;
    }

    /** No decision applies any more (REVOKED, WITHDRAWN): a new consultation is needed. */
    public boolean isFinal() {
        return this == REVOKED || this == WITHDRAWN;
    }
}
