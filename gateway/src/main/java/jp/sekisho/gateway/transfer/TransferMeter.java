package jp.sekisho.gateway.transfer;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.gateway.http.Metrics;

/**
 * The transfer layer's audit log, counting as it records: every state change of a transfer is
 * audited (TRANSFER_STARTED … TRANSFER_EXPIRED), so counting the recorded events keeps
 * {@code sekisho_transfers_total} equal to the audit log, and an event the store refused is not
 * counted. Stored payloads count as upload bytes; {@link #downloaded} counts bytes handed out.
 */
final class TransferMeter implements AuditLog {

    private static final String PREFIX = "TRANSFER_";

    private final AuditLog audit;
    private final Metrics metrics;

    TransferMeter(AuditLog audit, Metrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    @Override
    public void record(AuditEvent event) {
        audit.record(event);
        count(event);
    }

    @Override
    public RecordedEvent commit(AuditEvent event) {
        RecordedEvent r = audit.commit(event);
        count(event);
        return r;
    }

    /** Payload bytes of a route's transfer read by a receiver (a ranged or repeated download counts what it read). */
    void downloaded(String route, long bytes) {
        metrics.bytes(route, "download", bytes);
    }

    private void count(AuditEvent e) {
        EventType t = e.type();
        if (e.routeId() == null || !t.name().startsWith(PREFIX)) {
            return; // a spool orphan has no route; other events are not state changes
        }
        metrics.transfer(e.routeId(), t.name().substring(PREFIX.length()));
        if (t == EventType.TRANSFER_STORED && e.bytes() != null) {
            metrics.bytes(e.routeId(), "upload", e.bytes());
        }
    }
}
