package jp.sekisho.audit;

/**
 * Where the gateway writes its audit events. Two ways in, matching the fail-closed rule:
 * <ul>
 *   <li>{@link #commit} for decisions that let data through or change state: returns only once
 *       the event is durable, so the caller acknowledges its client after the record exists;</li>
 *   <li>{@link #record} for connection and denial events: queued and written in batches.</li>
 * </ul>
 * Both throw {@link AuditUnavailableException} instead of silently dropping an event, so the
 * caller refuses the work it was about to do.
 */
public interface AuditLog {

    /**
     * Queues the event for a batched write. When the queue is full it waits for room as long as the
     * store keeps writing; throws when the store is down, or has stalled for the write timeout.
     */
    void record(AuditEvent event);

    /**
     * Writes the event durably and returns it as stored; waits as long as the store keeps writing,
     * throws when the store is down, or has stalled for the write timeout.
     */
    RecordedEvent commit(AuditEvent event);
}
