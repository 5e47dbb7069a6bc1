package jp.sekisho.gateway.transfer;

import java.time.Instant;

/**
 * One batch file on one route, as the transfer table holds it.
 *
 * @param node     the gateway node whose spool holds the payload
 * @param length   the declared envelope length (tus Upload-Length); null until a deferred length is declared
 * @param sha256   the declared SHA-256 of the envelope, lower-case hex; null until declared by a PATCH.
 *                 Both are set in every transfer that was STORED or REJECTED (the database refuses
 *                 otherwise); only one that ended unfinished (EXPIRED, ABORTED) may lack them
 * @param offset   bytes durably written to the spool (fsync'd before it was stored here)
 * @param reason   why it ended REJECTED, EXPIRED or ABORTED
 * @param receipt  the signed receipt JSON once STORED (and the final one once ACKNOWLEDGED)
 */
public record Transfer(
        String id,
        String routeId,
        String approvalRef,
        String node,
        String senderSubject,
        String senderSha256,
        String filename,
        Long length,
        String sha256,
        long records,
        long offset,
        TransferState state,
        String reason,
        Instant createdAt,
        Instant updatedAt,
        Instant storedAt,
        Instant deliveredAt,
        Instant acknowledgedAt,
        Instant expiresAt,
        String receipt) {

    /** False while the sender has not yet declared the length (tus creation-defer-length). */
    public boolean lengthKnown() {
        return length != null;
    }

    public boolean sentBy(String subject, String sha) {
        return senderSubject.equals(subject) && senderSha256.equals(sha);
    }
}
