package jp.sekisho.audit.store;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.RecordedEvent;

/**
 * One queued write. {@code done == null} for {@code record()}; {@code event == null} marks a flush
 * barrier. A {@code commit()} caller that gives up cancels its entry so it is not written after the
 * caller already refused the work (unless the writer took it first).
 */
final class Pending {
    private static final int NEW = 0;
    private static final int TAKEN = 1;
    private static final int CANCELLED = 2;

    final AuditEvent event;
    final Instant time;
    /** Prepared on the caller's thread, so the single writer only chains and sends. */
    final byte[] canonicalTail;

    final String copyFields;
    final CompletableFuture<RecordedEvent> done;
    private final AtomicInteger state = new AtomicInteger(NEW);

    Pending(AuditEvent event, Instant time, CompletableFuture<RecordedEvent> done) {
        this.event = event;
        this.time = time;
        this.canonicalTail = event == null ? null : jp.sekisho.audit.chain.CanonicalEncoding.tail(event);
        this.copyFields = event == null ? null : EventRows.fields(event);
        this.done = done;
    }

    boolean isBarrier() {
        return event == null;
    }

    /** Writer side: false when the caller gave up already. Idempotent for retries. */
    boolean take() {
        return state.compareAndSet(NEW, TAKEN) || state.get() == TAKEN;
    }

    /** Caller side: true when the writer had not taken it, so it will never be written. */
    boolean cancel() {
        return state.compareAndSet(NEW, CANCELLED);
    }
}
