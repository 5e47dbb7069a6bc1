package jp.sekisho.audit;

/** What happened. Stable names: they are stored, exported and searched for years. */
public enum EventType {
    CONNECTION_ACCEPTED,
    CONNECTION_REFUSED,
    TLS_FAILED,
    REQUEST_ALLOWED,
    REQUEST_DENIED,
    TRANSFER_STARTED,
    TRANSFER_STORED,
    TRANSFER_DELIVERED,
    TRANSFER_ACKNOWLEDGED,
    TRANSFER_PURGED,
    TRANSFER_REJECTED,
    TRANSFER_ABORTED,
    TRANSFER_EXPIRED,
    APPROVAL_CHANGED,
    ROUTE_CHANGED,
    AUDIT_READ,
    /** A past month's partition was exported, verified and detached (docs/audit-export.md, "Archiving"). */
    AUDIT_ARCHIVED,
    /**
     * A node's audit signing key was registered in the store (docs/audit.md, "Signing keys"): detail keyId,
     * fingerprint, algorithm, origin (first-start or adopted), node, os_user.
     */
    AUDIT_KEY_REGISTERED,
    /**
     * {@code sekisho audit rotate-key} replaced a node's signing key: detail old_key_id (or "lost"), new_key_id,
     * fingerprint, public_key (SPKI, base64), reason, operator, old_key_signature (null when the old key was lost).
     */
    AUDIT_KEY_ROTATED,
    /** One request a relay route carried or refused (docs/relay.md): terminal, method, path, status, bytes. */
    RELAY_REQUEST,
    /**
     * A contractor's deletion report (廃棄報告) was verified and stored (docs/deletion-reports.md): detail
     * report id, signer, responsible, transfers, manifest_sha256.
     */
    DELETION_REPORT_ACCEPTED,
    /** A deletion report was refused: reason, and in the detail what did not match (transfer ids). */
    DELETION_REPORT_REFUSED,
    GATEWAY_STARTED,
    GATEWAY_STOPPED
}
