package jp.sekisho.gateway.transfer;

/**
 * A transfer's life: UPLOADING → STORED → DELIVERED → ACKNOWLEDGED → PURGED, or it ends REJECTED
 * (payload refused), EXPIRED (not completed or not delivered in time) or ABORTED (deleted by the
 * sender, or its route stopped being ACTIVE while it was in progress).
 */
public enum TransferState {
    UPLOADING,
    STORED,
    DELIVERED,
    ACKNOWLEDGED,
    PURGED,
    REJECTED,
    EXPIRED,
    ABORTED;

    /** States whose payload a receiver may fetch. */
    public boolean deliverable() {
        return this == STORED || this == DELIVERED;
    }

    /** States an envelope reaches only through the envelope gate: it was checked and stored. */
    public boolean storedOrLater() {
        return this == STORED || this == DELIVERED || this == ACKNOWLEDGED || this == PURGED;
    }

    /** States in which the spool still holds (part of) the payload. */
    public boolean spooled() {
        return this == UPLOADING || this == STORED || this == DELIVERED;
    }
}
