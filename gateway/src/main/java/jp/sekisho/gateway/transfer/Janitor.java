package jp.sekisho.gateway.transfer;

import java.time.Clock;
import java.time.Instant;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends what may no longer go on: transfers in progress on a route that stopped being ACTIVE (on
 * each policy change), and uploads past Upload-Expires or stored transfers past retention (every
 * sweep, which also completes a purge an acknowledgment left unfinished and checks an upload whose
 * last byte is in but whose node died during its envelope check). Stored transfers on an inactive
 * route stay: the route may be reinstated, and retention still applies to them.
 *
 * <p>Every node sweeps every transfer of the shared spool, each under its cluster lock; one another
 * node holds is skipped until the next sweep. With the spool unavailable the sweep does nothing.
 */
final class Janitor {

    private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);

    private final TransferRepository repo;
    private final SpoolGuard guard;
    private final EnvelopeGate gate;
    private final UploadSessions sessions;
    private final Deliveries deliveries;
    private final TransferEndings endings;
    private final Acknowledgments acks;
    private final TransferLocks locks;
    private final Clock clock;

    Janitor(
            TransferRepository repo,
            SpoolGuard guard,
            EnvelopeGate gate,
            UploadSessions sessions,
            Deliveries deliveries,
            TransferEndings endings,
            Acknowledgments acks,
            TransferLocks locks,
            Clock clock) {
        this.repo = repo;
        this.guard = guard;
        this.gate = gate;
        this.sessions = sessions;
        this.deliveries = deliveries;
        this.endings = endings;
        this.acks = acks;
        this.locks = locks;
        this.clock = clock;
    }

    /** Why a transfer on {@code r} must stop now (the route's state, or ROUTE_UNKNOWN); null while the route is ACTIVE. */
    static String inactiveReason(PolicySnapshot s, Route r, Instant now) {
        if (r == null) {
            return "ROUTE_UNKNOWN";
        }
        RouteState st = s.stateOf(r, now);
        return st == RouteState.ACTIVE ? null : st.name();
    }

    /**
     * Why {@code t} expires at {@code now}, or null: UPLOAD_EXPIRED for an upload, RETENTION_EXPIRED
     * for a stored transfer. A PATCH in progress keeps its upload alive.
     */
    static String expiryReason(Transfer t, Instant now, boolean patchInProgress) {
        if (t.expiresAt().isAfter(now) || patchInProgress) {
            return null;
        }
        return t.state() == TransferState.UPLOADING ? "UPLOAD_EXPIRED" : "RETENTION_EXPIRED";
    }

    /** Aborts every upload and download in progress on a route that is no longer ACTIVE. */
    void abortInactive(PolicySnapshot snapshot) {
        Instant now = clock.instant();
        sessions.killWhere(routeId -> inactiveReason(snapshot, snapshot.routes().get(routeId), now));
        deliveries.killWhere(
                routeId -> inactiveReason(snapshot, snapshot.routes().get(routeId), now));
        for (Transfer t : repo.spooled()) {
            if (t.state() != TransferState.UPLOADING) {
                continue; // stored payloads wait
            }
            String r = inactiveReason(snapshot, snapshot.routes().get(t.routeId()), now);
            if (r != null) {
                try {
                    endings.abort(t, r, null); // waits a little for the node whose PATCH the change cuts
                } catch (RuntimeException e) {
                    LOG.warn("転送 {} を中止できません / cannot abort transfer {}: {}", t.id(), t.id(), e.toString());
                }
            }
        }
    }

    /**
     * Expires uploads past Upload-Expires and undelivered transfers past retention (returns how
     * many), and completes purges left unfinished after an acknowledgment (the audit store was away).
     */
    int sweep() {
        if (!guard.probe()) { // looked at now, not as cached: an ending must never follow a vanished mount
            return 0; // with the mount gone every file looks missing: nothing is ended or deleted
        }
        for (Transfer t : repo.acknowledged()) {
            try {
                locks.ifFree(
                        t.id(),
                        () -> repo.find(t.id())
                                .filter(current -> current.state() == TransferState.ACKNOWLEDGED)
                                .ifPresent(current -> acks.purge(current, null)));
            } catch (RuntimeException e) {
                // the expiries below still run; the next sweep tries this purge again
                LOG.warn(
                        "転送 {} のスプール削除を完了できません / cannot complete the purge of transfer {}: {}",
                        t.id(),
                        t.id(),
                        e.toString());
            }
        }
        Instant now = clock.instant();
        int[] n = {0};
        for (Transfer t : repo.spooled()) {
            if (sessions.inProgress(t.id())) {
                continue; // a PATCH of this node keeps its upload alive and checks it itself
            }
            try {
                locks.ifFree(
                        t.id(),
                        // looked at again under the lock: the cluster lock is re-entrant within this
                        // node, so a PATCH begun since the look above does not keep the sweep out
                        () -> repo.find(t.id())
                                .filter(x -> !sessions.inProgress(x.id()))
                                .ifPresent(current -> {
                                    if (sweep(current, now)) {
                                        n[0]++;
                                    }
                                }));
            } catch (RuntimeException e) {
                LOG.warn("転送 {} の期限処理に失敗しました / sweeping transfer {} failed: {}", t.id(), t.id(), e.toString());
            }
        }
        return n[0];
    }

    /** Under the transfer's lock: expires it, or checks an upload left complete but unchecked; true when it expired. */
    private boolean sweep(Transfer t, Instant now) {
        if (!t.state().spooled()) {
            return false;
        }
        String reason = expiryReason(t, now, false);
        if (reason != null) {
            return endings.expire(t, reason);
        }
        if (t.state() == TransferState.UPLOADING && t.lengthKnown() && t.offset() == t.length() && t.sha256() != null) {
            gate.recover(t); // its node died during the envelope check (no one holds its lock now)
        }
        return false;
    }
}
