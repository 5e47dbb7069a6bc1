package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery of stored transfers to their receivers: the inbox, downloads, the DELIVERED step (the
 * first download that reaches the last byte), and the acknowledgment that purges the spooled copy.
 * Each step that lets data through is committed to the audit log before it is answered, under the
 * transfer's lock so that two downloads, an acknowledgment and an expiry record one outcome.
 */
final class Deliveries implements Download.Owner {

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

    private final TransferRepository repo;
    private final Spool spool;
    private final SpoolGuard guard;
    private final TransferEvents events;
    private final TransferLocks locks;
    private final Acknowledgments acks;
    private final Clock clock;
    private final Set<Download> downloads = ConcurrentHashMap.newKeySet();

    Deliveries(
            TransferRepository repo,
            Spool spool,
            SpoolGuard guard,
            TransferEvents events,
            TransferLocks locks,
            Acknowledgments acks,
            Clock clock) {
        this.repo = repo;
        this.spool = spool;
        this.guard = guard;
        this.events = events;
        this.locks = locks;
        this.acks = acks;
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

    /** A transfer the receiver may take now: deliverable (from the shared spool, whichever node stored it). */
    private Transfer deliverable(Caller caller, Admitted a, String id, Reason ifNot) {
        Transfer t = view(caller, a.route(), id, false);
        if (!t.state().deliverable()) {
            throw new TransferProblem(ifNot, "transfer " + id + " is " + t.state());
        }
        return t;
    }

    /** Opens the stored envelope from byte {@code start} for a receiver. */
    Download openPayload(Caller caller, Admitted a, String id, long start) {
        Transfer t = deliverable(caller, a, id, Reason.TRANSFER_UNKNOWN);
        guard.require();
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
        if (events.log() instanceof TransferMeter meter) { // always, but for a service built by hand
            meter.downloaded(d.transfer().routeId(), d.sent());
        }
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
     * The receiver's acknowledgment: with the right hash the acknowledgment is recorded (event, then
     * the row ACKNOWLEDGED with the final receipt), the spooled copy deleted and the purge recorded,
     * and the final receipt returned. Repeated with the same hash (its first answer lost), it answers
     * the same receipt again and records nothing twice; a purge left unfinished is completed then.
     */
    String acknowledge(Caller caller, Admitted a, String id, String sha256) {
        view(caller, a.route(), id, false);
        guard.require();
        return locks.with(id, () -> {
            Transfer t = view(caller, a.route(), id, false);
            boolean done = t.state() == TransferState.ACKNOWLEDGED || t.state() == TransferState.PURGED;
            if (!done) {
                t = deliverable(caller, a, id, Reason.TRANSFER_NOT_DELIVERABLE);
            }
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
                                "the envelope's SHA-256 is not " + sha256
                                        + (done ? "" : "; the gateway keeps its copy"))
                        .markAudited();
            }
            if (done) {
                if (t.state() == TransferState.ACKNOWLEDGED) {
                    purgeOrLeave(t, caller);
                }
                return t.receipt();
            }
            for (Download d : downloads) {
                if (d.transfer().id().equals(id)) {
                    d.kill("ACKNOWLEDGED");
                }
            }
            String receipt = acks.acknowledge(t, caller);
            purgeOrLeave(repo.find(id).orElseThrow(), caller);
            return receipt;
        });
    }

    /**
     * Purges an ACKNOWLEDGED transfer. The acknowledgment is recorded already, so a failure here
     * (the audit store away for TRANSFER_PURGED) does not change the receiver's answer: the row
     * stays ACKNOWLEDGED and the sweep, the next start or a repeated acknowledgment completes it.
     */
    private void purgeOrLeave(Transfer t, Caller caller) {
        try {
            acks.purge(t, caller);
        } catch (RuntimeException e) {
            LOG.warn(
                    "転送 {} の受領確認は記録済み、スプール削除の記録は後で再試行します / transfer {} is acknowledged;"
                            + " its purge is retried later: {}",
                    t.id(),
                    t.id(),
                    e.toString());
        }
    }
}
