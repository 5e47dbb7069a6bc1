package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteAccess.Admitted;

/**
 * Delivery of stored transfers to their receivers: the inbox, downloads, the DELIVERED step (the
 * first download that reaches the last byte), and the acknowledgment that purges the spooled copy.
 * Each step that lets data through is committed to the audit log before it is answered, under the
 * transfer's lock so that two downloads, an acknowledgment and an expiry record one outcome.
 */
final class Deliveries implements Download.Owner {

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final TransferEvents events;
    private final TransferLocks locks;
    private final ReceiptSigner signer;
    private final Clock clock;
    private final Set<Download> downloads = ConcurrentHashMap.newKeySet();

    Deliveries(
            String node,
            TransferRepository repo,
            Spool spool,
            TransferEvents events,
            TransferLocks locks,
            ReceiptSigner signer,
            Clock clock) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.events = events;
        this.locks = locks;
        this.signer = signer;
        this.clock = clock;
    }

    List<Transfer> inbox(String routeId) {
        return repo.inbox(routeId);
    }

    /** A transfer of this route, for its receivers or (only their own) its senders. */
    Transfer view(Caller caller, Route route, String id, boolean asSender) {
        Transfer t = repo.find(id).orElse(null);
        if (t == null
                || !t.routeId().equals(route.id())
                || (asSender
                        && !t.sentBy(
                                caller.principal().subject(), caller.principal().sha256()))) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "no transfer '" + id + "' on route " + route.id());
        }
        return t;
    }

    /** A transfer the receiver may take now: deliverable and spooled on this node. */
    private Transfer deliverable(Caller caller, Admitted a, String id, Reason ifNot) {
        Transfer t = view(caller, a.route(), id, false);
        if (!t.state().deliverable()) {
            throw new TransferProblem(ifNot, "transfer " + id + " is " + t.state());
        }
        if (!t.node().equals(node)) {
            throw new TransferProblem(
                    Reason.TRANSFER_ON_OTHER_NODE, "transfer " + id + " is held by gateway node " + t.node());
        }
        return t;
    }

    /** Opens the stored envelope from byte {@code start} for a receiver. */
    Download openPayload(Caller caller, Admitted a, String id, long start) {
        Transfer t = deliverable(caller, a, id, Reason.TRANSFER_UNKNOWN);
        if (start < 0 || (start >= t.length() && t.length() > 0) || start > t.length()) {
            throw new TransferProblem(Reason.RANGE_NOT_SATISFIABLE, "the envelope has " + t.length() + " bytes");
        }
        try {
            FileChannel ch = FileChannel.open(spool.stored(id), StandardOpenOption.READ);
            ch.position(start);
            Download d = new Download(t, caller, ch, start, this);
            downloads.add(d);
            return d;
        } catch (IOException e) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "transfer " + id + " is no longer held");
        }
    }

    /** The delivered step: the first download to reach the last byte commits TRANSFER_DELIVERED. */
    @Override
    public void lastByte(Download d) {
        Transfer t = d.transfer();
        locks.run(t.id(), () -> {
            Transfer now = repo.find(t.id()).orElse(null);
            if (now == null || now.state() != TransferState.STORED) {
                return; // delivered before: only the first complete download is recorded
            }
            events.log()
                    .commit(events.event(EventType.TRANSFER_DELIVERED, Outcome.ALLOW, t, d.caller())
                            .build());
            repo.markDelivered(t.id(), clock.instant());
        });
    }

    @Override
    public void closed(Download d) {
        downloads.remove(d);
    }

    /** Cuts off each download in progress for which {@code reason} (of its route id) is not null. */
    void killWhere(Function<String, String> reason) {
        for (Download d : downloads) {
            String r = reason.apply(d.transfer().routeId());
            if (r != null) {
                d.kill(r);
            }
        }
    }

    /**
     * The receiver's acknowledgment: with the right hash the spooled copy is deleted at once
     * (TRANSFER_ACKNOWLEDGED, TRANSFER_PURGED, both committed) and the final receipt returned.
     */
    String acknowledge(Caller caller, Admitted a, String id, String sha256) {
        view(caller, a.route(), id, false);
        return locks.with(id, () -> {
            Transfer t = deliverable(caller, a, id, Reason.TRANSFER_NOT_DELIVERABLE);
            if (sha256 == null || !sha256.toLowerCase(Locale.ROOT).equals(t.sha256())) {
                events.log()
                        .record(events.event(EventType.REQUEST_DENIED, Outcome.DENY, t, caller)
                                .reason(Reason.ACK_HASH_MISMATCH.code())
                                .detailJson(new Detail()
                                        .put("action", "ack")
                                        .put("acknowledged", sha256)
                                        .toString())
                                .build());
                throw new TransferProblem(
                                Reason.ACK_HASH_MISMATCH,
                                "the envelope's SHA-256 is not " + sha256 + "; the gateway keeps its copy")
                        .markAudited();
            }
            for (Download d : downloads) {
                if (d.transfer().id().equals(id)) {
                    d.kill("ACKNOWLEDGED");
                }
            }
            Instant now = clock.instant();
            events.log()
                    .commit(events.event(EventType.TRANSFER_ACKNOWLEDGED, Outcome.ALLOW, t, caller)
                            .build());
            spool.delete(id);
            events.log()
                    .commit(events.event(EventType.TRANSFER_PURGED, Outcome.ALLOW, t, caller)
                            .build());
            String receipt = Receipts.receipt(t, TransferState.ACKNOWLEDGED.name(), t.storedAt(), now, node, signer);
            repo.markPurged(id, now, receipt);
            return receipt;
        });
    }
}
