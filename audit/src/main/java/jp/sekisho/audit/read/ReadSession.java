package jp.sekisho.audit.read;

import java.time.Instant;
import jp.sekisho.audit.AuditPrincipal;

/**
 * A read of the audit log recorded once for many searches: a live view polls every few seconds, and
 * one AUDIT_READ per poll would bury the log under its own reads. Opened by {@link
 * AuditReader#openSession}, which records the one AUDIT_READ (its purpose and filter); {@link
 * AuditReader#search(AuditQuery, ReadSession)} then reads with that filter and records nothing more,
 * until the session expires. Held in the gateway's memory only: a restart ends every session.
 *
 * <p>Search with the session's own filter, e.g. {@code reader.search(session.filter().newestFirst()
 * .newerThan(cursor).limit(50), session)}: a query whose filters differ (a {@code since} resolved
 * again to a later {@code from}, another principal) is refused, so the one AUDIT_READ says truthfully
 * what was read under it.
 *
 * @param id      random, 256 bits, base64url: the handle a page gives back (bound to {@code reader})
 * @param reader  who opened it; only they may use it
 * @param purpose why, in the AUDIT_READ event (e.g. "live view")
 * @param filter  what it may read ({@link AuditQuery#filters()}: any page, cursor or limit of it)
 */
public record ReadSession(
        String id, AuditPrincipal reader, String purpose, AuditQuery filter, Instant opened, Instant expires) {

    /** The SHA-256 fingerprint of the reader's certificate (null for a local, certificate-less reader). */
    public String principalSha256() {
        return reader == null ? null : reader.sha256();
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expires);
    }

    /** Without the id: sessions end up in logs and messages, their handles should not. */
    @Override
    public String toString() {
        return "ReadSession[" + id.substring(0, Math.min(6, id.length())) + "…, purpose=" + purpose + ", expires="
                + expires + "]";
    }
}
