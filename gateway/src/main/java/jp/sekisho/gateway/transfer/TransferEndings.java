package jp.sekisho.gateway.transfer;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;

/**
 * The ways a transfer ends without delivery: aborted (sender's DELETE, route no longer ACTIVE),
 * rejected (its envelope refused), expired, or lost (its spool file gone). Each is one
 * compare-and-set of the row under the transfer's lock; only the winner deletes the spool files
 * and records the event, so racing endings record one event between them.
 */
final class TransferEndings {

    private static final List<TransferState> UPLOADING = List.of(TransferState.UPLOADING);
    private static final List<TransferState> SPOOLED =
            List.of(TransferState.UPLOADING, TransferState.STORED, TransferState.DELIVERED);

    private final TransferRepository repo;
    private final Spool spool;
    private final TransferEvents events;
    private final TransferLocks locks;
    private final Clock clock;
    /** Told the id of each transfer that ended, to drop what is kept for its next PATCH. */
    private final Consumer<String> ended;

    TransferEndings(
            TransferRepository repo,
            Spool spool,
            TransferEvents events,
            TransferLocks locks,
            Clock clock,
            Consumer<String> ended) {
        this.repo = repo;
        this.spool = spool;
        this.events = events;
        this.locks = locks;
        this.clock = clock;
        this.ended = ended;
    }

    /** Ends an UPLOADING transfer as ABORTED; false when it had already ended (or was stored). */
    boolean abort(Transfer t, String reason, Caller caller) {
        return end(
                t,
                UPLOADING,
                TransferState.ABORTED,
                reason,
                caller,
                EventType.TRANSFER_ABORTED,
                Outcome.DENY,
                t.offset(),
                null);
    }

    /** Ends a transfer still in the spool (upload past Upload-Expires, stored past retention) as EXPIRED. */
    boolean expire(Transfer t, String reason) {
        return end(
                t,
                SPOOLED,
                TransferState.EXPIRED,
                reason,
                null,
                EventType.TRANSFER_EXPIRED,
                Outcome.ALLOW,
                t.offset(),
                null);
    }

    /** Ends an UPLOADING transfer whose envelope was refused as REJECTED; returns the problem to answer. */
    TransferProblem reject(Transfer t, String reason, String detail, Caller caller, String actualSha256) {
        String json = new Detail()
                .put("message", detail)
                .put("actualSha256", actualSha256)
                .toString();
        TransferProblem refused = new TransferProblem(Reason.valueOf(reason), detail);
        if (end(
                t,
                UPLOADING,
                TransferState.REJECTED,
                reason,
                caller,
                EventType.TRANSFER_REJECTED,
                Outcome.DENY,
                null,
                json)) {
            return refused.markAudited(); // TRANSFER_REJECTED is this request's refusal
        }
        spool.delete(t.id()); // ended otherwise meanwhile: whatever is left of the file goes too
        return refused;
    }

    /** At start-up: the spool file of a transfer in {@code t.state()} is missing or of the wrong size. */
    void lost(Transfer t) {
        end(
                t,
                List.of(t.state()),
                TransferState.ABORTED,
                "SPOOL_FILE_MISSING",
                null,
                EventType.TRANSFER_ABORTED,
                Outcome.ERROR,
                null,
                null);
    }

    private boolean end(
            Transfer t,
            List<TransferState> from,
            TransferState to,
            String reason,
            Caller caller,
            EventType type,
            Outcome outcome,
            Long bytes,
            String detailJson) {
        return locks.with(t.id(), () -> {
            if (!repo.end(t.id(), from, to, reason, clock.instant())) {
                return false;
            }
            ended.accept(t.id());
            spool.delete(t.id());
            var b = events.event(type, outcome, t, caller).reason(reason);
            if (bytes != null) {
                b.bytes(bytes); // how far an unfinished upload got
            }
            if (detailJson != null) {
                b.detailJson(detailJson);
            }
            events.log().record(b.build());
            return true;
        });
    }
}
