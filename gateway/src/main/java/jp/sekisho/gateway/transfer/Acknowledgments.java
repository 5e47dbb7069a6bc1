package jp.sekisho.gateway.transfer;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.policy.Caller;

/**
 * The acknowledgment and the purge it brings, as one step that a crash anywhere in it leaves
 * recoverable: TRANSFER_ACKNOWLEDGED committed, the row ACKNOWLEDGED with the final receipt, the
 * spool file deleted, TRANSFER_PURGED committed, the row PURGED. Each event is committed only if the
 * audit store does not already hold it for the transfer ({@link TransferRepository#recordedAt}), so
 * doing the step again from wherever the crash left it (at start-up, on the sweep, or on the
 * receiver's repeated acknowledgment) records each event exactly once. Callers hold the transfer's lock
 * or run before the gateway accepts connections.
 */
final class Acknowledgments {

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final SpoolGuard guard;
    private final TransferEvents events;
    private final ReceiptSigner signer;
    private final Clock clock;

    Acknowledgments(
            String node,
            TransferRepository repo,
            Spool spool,
            SpoolGuard guard,
            TransferEvents events,
            ReceiptSigner signer,
            Clock clock) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.guard = guard;
        this.events = events;
        this.signer = signer;
        this.clock = clock;
    }

    /**
     * Records that the receiver acknowledged the STORED or DELIVERED transfer {@code t} (its hash
     * checked): TRANSFER_ACKNOWLEDGED, then the row ACKNOWLEDGED with the final receipt, which is
     * returned. {@code caller} is null when recovery completes an acknowledgment already committed.
     */
    String acknowledge(Transfer t, Caller caller) {
        // acknowledged when TRANSFER_ACKNOWLEDGED says so: its time if it was committed before a crash, else now
        Optional<Instant> recorded = repo.recordedAt(t.id(), EventType.TRANSFER_ACKNOWLEDGED);
        if (recorded.isEmpty()) {
            events.log()
                    .commit(events.event(EventType.TRANSFER_ACKNOWLEDGED, Outcome.ALLOW, t, caller)
                            .build());
        }
        Instant at = recorded.orElseGet(clock::instant);
        String receipt = Receipts.receipt(t, TransferState.ACKNOWLEDGED.name(), t.storedAt(), at, node, signer);
        if (!repo.markAcknowledged(t.id(), at, receipt)) {
            throw new IllegalStateException("transfer " + t.id() + " left STORED/DELIVERED while it was acknowledged");
        }
        return receipt;
    }

    /** Deletes the spooled copy of the ACKNOWLEDGED transfer {@code t}, records TRANSFER_PURGED once, marks it PURGED. */
    void purge(Transfer t, Caller caller) {
        guard.require(); // a file in a vanished mount is not deleted: the purge waits for the spool
        spool.delete(t.id());
        if (repo.recordedAt(t.id(), EventType.TRANSFER_PURGED).isEmpty()) {
            events.log()
                    .commit(events.event(EventType.TRANSFER_PURGED, Outcome.ALLOW, t, caller)
                            .build());
        }
        repo.markPurged(t.id(), clock.instant());
    }

    /**
     * At start-up: completes the acknowledgment of a STORED or DELIVERED transfer whose
     * TRANSFER_ACKNOWLEDGED was committed before the crash (the row not yet updated, or not by a
     * gateway of an earlier version, which deleted the copy first). False when it was not acknowledged.
     */
    boolean resume(Transfer t) {
        if (repo.recordedAt(t.id(), EventType.TRANSFER_ACKNOWLEDGED).isEmpty()) {
            return false;
        }
        acknowledge(t, null);
        purge(repo.find(t.id()).orElseThrow(), null);
        return true;
    }
}
