package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
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
 * tus upload sessions: creation, the start of each PATCH (offset, one PATCH at a time across the
 * nodes, late declarations of length and hash), what a PATCH leaves for the next (its running
 * check, on this node only: a PATCH on another node re-reads the spool at the end), and the sender's
 * termination. The complete upload goes on to the {@link EnvelopeGate}. Any node continues any
 * upload: the offset lives in the store, the file in the shared spool.
 */
final class UploadSessions {

    private static final Logger LOG = LoggerFactory.getLogger(UploadSessions.class);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final SpoolGuard guard;
    private final TransferEvents events;
    private final TransferEndings endings;
    private final TransferLocks locks;
    private final TransferExecutors executors;
    private final EnvelopeGate gate;
    private final Clock clock;
    /** PATCHes in progress, by transfer id: at most one each. */
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    /**
     * Running checks (SHA-256 and envelope scan) of uploads between their PATCHes; a PATCH in
     * progress holds its own. {@link TransferEndings} drops the check of a transfer that ends.
     */
    private final Map<String, RunningCheck> runningChecks;

    UploadSessions(
            String node,
            TransferRepository repo,
            Spool spool,
            SpoolGuard guard,
            TransferEvents events,
            TransferEndings endings,
            TransferLocks locks,
            TransferExecutors executors,
            EnvelopeGate gate,
            Map<String, RunningCheck> runningChecks,
            Clock clock) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.guard = guard;
        this.events = events;
        this.endings = endings;
        this.locks = locks;
        this.executors = executors;
        this.gate = gate;
        this.runningChecks = runningChecks;
        this.clock = clock;
    }

    /** tus creation: see {@link TransferService#create}. */
    Transfer create(Caller caller, Admitted a, Long length, String filename, String sha256, long records) {
        Route r = a.route();
        if (length != null && length > r.maxPayloadBytes()) {
            throw events.deny(
                    caller,
                    a,
                    Reason.PAYLOAD_TOO_LARGE,
                    "Upload-Length " + length + " exceeds the route's maximum of " + r.maxPayloadBytes() + " bytes");
        }
        if (records > a.approval().maxRecords()) {
            throw events.deny(
                    caller,
                    a,
                    Reason.RECORDS_OVER_APPROVAL,
                    records + " records exceed the " + a.approval().maxRecords() + " approved by "
                            + a.approval().ref());
        }
        guard.require();
        if (length != null && !spool.space().fits(length)) {
            // refused at once, before a byte is sent: the spool's disk cannot take it now
            throw events.deny(caller, a, Reason.SPOOL_FULL, spool.space().refusal(length));
        }
        String id = newId();
        Instant now = clock.instant();
        Transfer t = new Transfer(
                id,
                r.id(),
                a.approval().ref(),
                node,
                caller.principal().subject(),
                caller.principal().sha256(),
                filename == null || filename.isBlank() ? id + ".cms" : filename,
                length,
                sha256,
                records,
                0,
                TransferState.UPLOADING,
                null,
                now,
                now,
                null,
                null,
                null,
                now.plus(TransferService.UPLOAD_EXPIRY),
                null);
        // file and row under the transfer's cluster lock: another node's recovery never takes the file for an orphan
        locks.run(id, () -> {
            try {
                spool.create(id);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the spool file: " + e.getMessage(), e);
            }
            try {
                repo.create(t);
            } catch (RuntimeException e) {
                spool.delete(id);
                throw e;
            }
        });
        events.log()
                .record(events.event(EventType.TRANSFER_STARTED, Outcome.ALLOW, t, caller)
                        .detailJson(new Detail()
                                .put("filename", t.filename())
                                .put("length", length)
                                .put("records", records)
                                .put("lengthDeferred", length == null ? Boolean.TRUE : null)
                                .toString())
                        .build());
        return t;
    }

    /** The free space of the spool, for the uploads' checks as they write. */
    SpoolSpace space() {
        return spool.space();
    }

    /**
     * The spool's disk filled up under this upload: it ends ABORTED with SPOOL_FULL (audited) and its
     * partial file is deleted, so the space comes back for the uploads that fit.
     */
    void spoolFull(Upload u) {
        endings.abort(u.transfer(), Reason.SPOOL_FULL.code(), u.caller());
    }

    /** The sender's own transfer on this route, whichever node created it (HEAD, PATCH, DELETE); 404 otherwise. */
    Transfer senderView(Caller caller, Route route, String id) {
        Transfer t = repo.find(id).orElse(null);
        if (t == null
                || !t.routeId().equals(route.id())
                || !t.sentBy(caller.principal().subject(), caller.principal().sha256())) {
            throw new TransferProblem(
                    Reason.TRANSFER_UNKNOWN, "no upload '" + id + "' of yours on route " + route.id());
        }
        return t;
    }

    /** Starts a PATCH: see {@link TransferService#beginPatch}. */
    Upload beginPatch(
            Caller caller,
            Admitted a,
            String id,
            long offset,
            byte[] checksum,
            Tus.Declaration declared,
            boolean rewind,
            Runnable onAbort) {
        guard.require();
        senderView(caller, a.route(), id);
        return locks.with(id, () -> {
            Transfer t = repo.find(id).orElseThrow();
            if (t.state().storedOrLater()) {
                Declarations.decide(t, a.route().maxPayloadBytes(), declared); // a retry declares the same
                throw new UploadComplete(t);
            }
            if (t.state() != TransferState.UPLOADING) {
                throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + id + " is " + t.state());
            }
            if (rewind) {
                t = rewind(t, offset);
            }
            if (offset != t.offset()) {
                throw new TransferProblem(
                        Reason.OFFSET_MISMATCH,
                        "Upload-Offset " + offset + " but the gateway has " + t.offset(),
                        t.offset());
            }
            // every put is under this transfer's lock: no PATCH can start between this check and the put below
            requireNoPatchOf(id);
            if (!Files.exists(spool.part(id)) && Files.exists(spool.stored(id))) {
                spool.unpromote(id); // promoted, its STORED not recorded, and not moved back then: checked again
            }
            t = Declarations.declare(repo, clock, t, a.route().maxPayloadBytes(), declared);
            long limit = t.lengthKnown() ? t.length() : a.route().maxPayloadBytes();
            // the running check left by the previous PATCH, if it covers exactly what is durable (none after a restart)
            RunningCheck d = runningChecks.remove(id);
            if (d == null && t.offset() == 0) {
                d = new RunningCheck();
            }
            RunningCheck running = d != null && d.covered() == t.offset() ? d : null;
            // the PATCH keeps the cluster lock until it is released, on whichever thread that happens
            ClusterLocks.Hold hold = locks.holdFor(id);
            SpoolWriter writer;
            try {
                writer = spool.openForAppend(id, t.offset(), running, executors.spoolWriter, executors.writeback);
            } catch (IOException | RuntimeException e) {
                locks.release(hold);
                if (!guard.probe()) {
                    throw guard.unavailable();
                }
                throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
            }
            Upload u = new Upload(
                    this,
                    t,
                    caller,
                    checksum,
                    limit,
                    onAbort,
                    writer,
                    checksum != null && running != null ? running.copy() : null,
                    () -> locks.release(hold));
            uploads.put(id, u);
            return u;
        });
    }

    /** 409 UPLOAD_IN_PROGRESS while another PATCH of the upload runs (called under the transfer's lock). */
    private void requireNoPatchOf(String id) {
        if (uploads.containsKey(id)) {
            throw new TransferProblem(Reason.UPLOAD_IN_PROGRESS, "another PATCH of upload " + id + " is in progress");
        }
    }

    /**
     * {@code Sekisho-Upload-Rewind} (under the transfer's lock): the sender starts its upload again from
     * byte 0 with another envelope, because the one it was sending was never finished (a sender killed
     * while it sealed and uploaded at once cannot make the same envelope again). Only while neither
     * length nor hash is declared: such an upload can never have been complete, checked or stored, so
     * the transfer stays one transfer and nothing checked is discarded. The bytes go when the PATCH
     * opens the spool file at 0.
     */
    private Transfer rewind(Transfer t, long offset) {
        if (offset != 0) {
            throw Tus.invalid(Tus.REWIND + " needs Upload-Offset: 0");
        }
        if (t.lengthKnown() || t.sha256() != null) {
            throw new TransferProblem(
                    Reason.OFFSET_MISMATCH,
                    "upload " + t.id() + " has declared its length or hash: it can only be continued from "
                            + t.offset(),
                    t.offset());
        }
        if (t.offset() == 0) {
            return t;
        }
        requireNoPatchOf(t.id());
        Instant now = clock.instant();
        if (!repo.advance(t.id(), t.offset(), 0, now, now.plus(TransferService.UPLOAD_EXPIRY))) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + t.id() + " is no longer in progress");
        }
        runningChecks.remove(t.id());
        LOG.info(
                "アップロード {} を送信者の指示で先頭からやり直します（{} バイトを破棄） / upload {} rewound to 0 by its sender ({} bytes dropped)",
                t.id(),
                t.offset(),
                t.id(),
                t.offset());
        return repo.find(t.id()).orElseThrow();
    }

    /**
     * Records the offset a PATCH made durable (and moves Upload-Expires), fenced on the offset it
     * started from; 404 once the upload ended, 409 when another writer moved the offset meanwhile.
     * The transfer as stored when another check stored it meanwhile (only an empty PATCH at the
     * length can meet that: every other PATCH began below the recorded offset that check needs).
     */
    Transfer advance(Transfer t, long offset) {
        Instant now = clock.instant();
        if (!repo.advance(t.id(), t.offset(), offset, now, now.plus(TransferService.UPLOAD_EXPIRY))) {
            Transfer current = repo.find(t.id()).orElse(null);
            if (current != null
                    && current.state().storedOrLater()
                    && current.lengthKnown()
                    && offset == current.length()) {
                return current; // the empty PATCH at the length, whose upload another check stored meanwhile
            }
            if (current != null && current.state() == TransferState.UPLOADING) {
                throw new TransferProblem(
                        Reason.OFFSET_MISMATCH,
                        "upload " + t.id() + " was continued by another writer; the gateway has " + current.offset(),
                        current.offset());
            }
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + t.id() + " is no longer in progress");
        }
        return repo.find(t.id()).orElseThrow();
    }

    /**
     * Leaves the running check for the next PATCH when it covers exactly the durable offset of a
     * transfer still uploading (under the transfer's lock, so an ending cannot strand it).
     */
    void keepForNextPatch(String id, RunningCheck d) {
        locks.run(id, () -> {
            Transfer now = repo.find(id).orElse(null);
            if (now != null && now.state() == TransferState.UPLOADING && now.offset() == d.covered()) {
                runningChecks.put(id, d);
            }
        });
    }

    /** The PATCH that completed the upload: the envelope gate decides STORED or REJECTED. */
    Transfer complete(Upload u, Transfer t) {
        return gate.complete(u, t);
    }

    void released(Upload u) {
        uploads.remove(u.transfer().id(), u);
    }

    boolean inProgress(String id) {
        return uploads.containsKey(id);
    }

    /** Cuts off each PATCH in progress for which {@code reason} (of its route id) is not null. */
    void killWhere(Function<String, String> reason) {
        for (Upload u : uploads.values()) {
            String r = reason.apply(u.transfer().routeId());
            if (r != null) {
                u.kill(r);
            }
        }
    }

    /**
     * This node lost its cluster locks (the lock connection broke): every PATCH in progress is cut
     * without ending its upload, which stays UPLOADING at its durable offset for the sender to resume.
     */
    void cutAll() {
        for (Upload u : uploads.values()) {
            u.lockLost();
        }
    }

    /** tus termination: the sender deletes an upload in progress. */
    void terminate(Caller caller, Admitted a, String id) {
        Transfer t = senderView(caller, a.route(), id);
        if (t.state() != TransferState.UPLOADING) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + id + " is " + t.state());
        }
        Upload u = uploads.get(id);
        if (u != null) {
            u.kill("TERMINATED_BY_SENDER");
        }
        if (!endings.abort(t, "TERMINATED_BY_SENDER", caller)) {
            throw new TransferProblem(Reason.TRANSFER_UNKNOWN, "upload " + id + " is no longer in progress");
        }
    }

    Optional<Transfer> find(String id) {
        return repo.find(id);
    }

    /** How far the running check kept for the next PATCH of {@code id} reaches, or -1 (none: the last PATCH re-reads). */
    long runningCheckCovers(String id) {
        RunningCheck d = runningChecks.get(id);
        return d == null ? -1 : d.covered();
    }

    static String newId() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
