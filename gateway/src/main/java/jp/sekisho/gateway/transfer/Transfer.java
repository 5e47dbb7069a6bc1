package jp.sekisho.gateway.transfer;

import java.time.Instant;

/**
 * One batch file on one route, as the transfer table holds it.
 *
 * @param node     the gateway node whose spool holds the payload
 * @param length   the declared envelope length (tus Upload-Length)
 * @param sha256   the declared SHA-256 of the envelope, lower-case hex
 * @param offset   bytes durably written to the spool (fsync'd before it was stored here)
 * @param reason   why it ended REJECTED, EXPIRED or ABORTED
 * @param receipt  the signed receipt JSON once STORED (and the final one once ACKNOWLEDGED)
 */
public record Transfer(String id, String routeId, String approvalRef, String node, String senderSubject,
                       String senderSha256, String filename, long length, String sha256, long records, long offset,
                       TransferState state, String reason, Instant createdAt, Instant updatedAt, Instant storedAt,
                       Instant deliveredAt, Instant acknowledgedAt, Instant expiresAt, String receipt) {

    public boolean sentBy(String subject, String sha) {
        return senderSubject.equals(subject) && senderSha256.equals(sha);
    }
}
