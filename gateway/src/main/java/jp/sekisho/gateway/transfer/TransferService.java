package jp.sekisho.gateway.transfer;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.envelope.EnvelopeInspector;
import jp.sekisho.envelope.Inspection;
import jp.sekisho.envelope.PayloadDecision;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transfers on this node: tus uploads into the spool, the envelope check that decides STORED or
 * REJECTED, delivery to receivers, acknowledgment and purge, and the three ways a transfer ends
 * without delivery (sender's DELETE, route no longer ACTIVE, expiry). The HTTP layers admit the
 * request on its route first and hand over the {@link Admitted} result.
 *
 * <p>Every change of state is compare-and-set in the database; changes of one transfer are
 * serialised by a striped lock. What lets data through is committed to the audit log before it
 * is answered (TRANSFER_STORED, TRANSFER_DELIVERED, TRANSFER_ACKNOWLEDGED, TRANSFER_PURGED).
 */
public final class TransferService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransferService.class);

    /** tus Upload-Expires: an upload not continued for this long is deleted. */
    public static final Duration UPLOAD_EXPIRY = Duration.ofHours(24);
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    /** Read buffer of the envelope check: larger reads bring it close to a plain read of the file. */
    private static final int INSPECT_BUFFER = 1024 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final PolicyWatcher watcher;
    private final AuditLog audit;
    private final ReceiptSigner signer;
    private final Clock clock;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Set<Download> downloads = ConcurrentHashMap.newKeySet();
    /** Running checks (SHA-256 and envelope scan) of uploads between their PATCHes; a PATCH in progress holds its own. */
    private final Map<String, RunningCheck> runningChecks = new ConcurrentHashMap<>();
    private final AtomicLong spoolReads = new AtomicLong();
    private final Object[] locks = new Object[64];
    private final ExecutorService policyWorker;
    private final ScheduledExecutorService sweeper;
    private final ExecutorService writeback;
    /** Runs the {@link SpoolWriter} tasks: each upload's in order, uploads side by side. */
    private final ExecutorService spoolWriter;

    public TransferService(String node, TransferRepository repo, Spool spool, PolicyWatcher watcher, AuditLog audit,
                           ReceiptSigner signer, Clock clock) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.watcher = watcher;
        this.audit = audit;
        this.signer = signer;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        this.policyWorker = Executors.newSingleThreadExecutor(daemon("sekisho-transfer-policy"));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("sekisho-transfer-sweeper"));
        this.writeback = Executors.newFixedThreadPool(2, daemon("sekisho-spool-writeback"));
        this.spoolWriter = Executors.newCachedThreadPool(daemon("sekisho-spool-writer"));
    }

    /** Recovers the spool, subscribes to policy changes and schedules the retention sweep. */
    public TransferService start() {
        recover();
        watcher.subscribe(snapshot -> policyWorker.execute(() -> {
            try {
                abortInactive(snapshot);
            } catch (RuntimeException e) {
                LOG.warn("aborting transfers after a policy change failed", e);
            }
        }));
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (RuntimeException e) {
                LOG.warn("transfer retention sweep failed", e);
            }
        }, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public String node() {
        return node;
    }

    public Spool spool() {
        return spool;
    }

    public AuditLog audit() {
        return audit;
    }

    public ReceiptSigner signer() {
        return signer;
    }

    // ------------------------------------------------------------------------------------ upload

    /**
     * tus creation: checks size and record count against the route and approval, creates the spool file.
     *
     * @param length null for a deferred length (tus creation-defer-length): a PATCH declares it later
     * @param sha256 null when a PATCH is to declare it (only with a deferred length)
     */
    public Transfer create(Caller caller, Admitted a, Long length, String filename, String sha256, long records) {
        Route r = a.route();
        if (length != null && length > r.maxPayloadBytes()) {
            throw deny(caller, a, 413, "PAYLOAD_TOO_LARGE", "Upload-Length " + length + " exceeds the route's maximum of "
                    + r.maxPayloadBytes() + " bytes");
        }
        if (records > a.approval().maxRecords()) {
            throw deny(caller, a, 403, "RECORDS_OVER_APPROVAL", records + " records exceed the " + a.approval().maxRecords()
                    + " approved by " + a.approval().ref());
        }
        String id = newId();
        Instant now = clock.instant();
        Transfer t = new Transfer(id, r.id(), a.approval().ref(), node, caller.principal().subject(),
                caller.principal().sha256(), filename == null || filename.isBlank() ? id + ".cms" : filename, length,
                sha256, records, 0, TransferState.UPLOADING, null, now, now, null, null, null, now.plus(UPLOAD_EXPIRY), null);
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
        audit.record(event(EventType.TRANSFER_STARTED, Outcome.ALLOW, t, caller)
                .detailJson(new Detail().put("filename", t.filename()).put("length", length).put("records", records)
                        .put("lengthDeferred", length == null ? Boolean.TRUE : null).toString())
                .build());
        return t;
    }

    /** The sender's own transfer on this route and node (HEAD, PATCH, DELETE); 404 otherwise. */
    public Transfer senderView(Caller caller, Route route, String id) {
        Transfer t = repo.find(id).orElse(null);
        if (t == null || !t.routeId().equals(route.id()) || !t.sentBy(caller.principal().subject(), caller.principal().sha256())) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "no upload '" + id + "' of yours on route " + route.id());
        }
        if (!t.node().equals(node)) {
            throw new TransferProblem(421, "TRANSFER_ON_OTHER_NODE", "upload " + id + " is held by gateway node " + t.node());
        }
        return t;
    }

    /**
     * Starts a PATCH: the transfer must be UPLOADING at exactly {@code offset}. The spool file is cut
     * back to the durable offset first (bytes past it were never acknowledged).
     *
     * @param checksum the expected SHA-256 of this chunk (tus checksum extension), or null
     * @param declared the upload's length and SHA-256 if this PATCH declares them (recorded before its body)
     * @param onAbort  closes the request's connection when the route stops being ACTIVE mid-PATCH
     */
    public Upload beginPatch(Caller caller, Admitted a, String id, long offset, byte[] checksum, Tus.Declaration declared,
                             Runnable onAbort) {
        Transfer t = senderView(caller, a.route(), id);
        synchronized (lock(id)) {
            t = repo.find(id).orElseThrow();
            if (t.state() == TransferState.STORED || t.state() == TransferState.DELIVERED) {
                throw new TransferProblem(409, "OFFSET_MISMATCH", "upload " + id + " is complete", t.length());
            }
            if (t.state() != TransferState.UPLOADING) {
                throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + id + " is " + t.state());
            }
            if (offset != t.offset()) {
                throw new TransferProblem(409, "OFFSET_MISMATCH", "Upload-Offset " + offset + " but the gateway has "
                        + t.offset(), t.offset());
            }
            // every put is under this lock: no PATCH can start between this check and the put below
            if (uploads.containsKey(id)) {
                throw new TransferProblem(409, "UPLOAD_IN_PROGRESS", "another PATCH of upload " + id + " is in progress");
            }
            t = declare(t, a.route(), declared);
            long limit = t.lengthKnown() ? t.length() : a.route().maxPayloadBytes();
            // the running check left by the previous PATCH, if it covers exactly what is durable (none after a restart)
            RunningCheck d = runningChecks.remove(id);
            if (d == null && t.offset() == 0) {
                d = new RunningCheck();
            }
            RunningCheck running = d != null && d.covered() == t.offset() ? d : null;
            Upload u = new Upload(t, caller, checksum, limit, onAbort);
            u.runningBefore = checksum != null && running != null ? running.copy() : null;
            try {
                u.writer = spool.openForAppend(id, t.offset(), running, spoolWriter, writeback);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            uploads.put(id, u);
            return u;
        }
    }

    /**
     * Records what a PATCH declares (tus creation-defer-length, Sekisho-Envelope-Sha256): a length or
     * hash not yet known is set; one already known may be repeated but not changed. Under the lock.
     */
    private Transfer declare(Transfer t, Route route, Tus.Declaration d) {
        Long length = null;
        String sha = null;
        if (d.length() != null) {
            if (t.lengthKnown()) {
                if (!t.length().equals(d.length())) {
                    throw new TransferProblem(400, "UPLOAD_LENGTH_MISMATCH", "Upload-Length " + d.length()
                            + " but the upload's length is " + t.length());
                }
            } else if (d.length() < t.offset()) {
                throw new TransferProblem(400, "UPLOAD_LENGTH_BELOW_OFFSET", "Upload-Length " + d.length()
                        + " is below the " + t.offset() + " bytes already uploaded", t.offset());
            } else if (d.length() > route.maxPayloadBytes()) {
                throw new TransferProblem(413, "PAYLOAD_TOO_LARGE", "Upload-Length " + d.length()
                        + " exceeds the route's maximum of " + route.maxPayloadBytes() + " bytes");
            } else {
                length = d.length();
            }
        }
        if (d.sha256() != null) {
            if (t.sha256() != null) {
                if (!t.sha256().equals(d.sha256())) {
                    throw new TransferProblem(400, "SHA256_MISMATCH", Tus.ENVELOPE_SHA256 + " " + d.sha256()
                            + " differs from the sha256 declared before, " + t.sha256());
                }
            } else {
                sha = d.sha256();
            }
        }
        if (length == null && sha == null) {
            return t;
        }
        if (!repo.declare(t.id(), length, sha, clock.instant())) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + t.id() + " is no longer in progress");
        }
        return repo.find(t.id()).orElseThrow();
    }

    /** One PATCH request's body on its way to the spool file. Used by one thread at a time. */
    public final class Upload {
        final Transfer transfer;
        final Caller caller;
        private final byte[] checksum;
        /** Upload-Length, or the route's max-payload while the length is deferred. */
        private final long limit;
        private final MessageDigest chunkDigest;
        private final Runnable onAbort;
        /** Writes the body and keeps the running check over [0, offset()). */
        SpoolWriter writer;
        private long written;
        private volatile String abortReason;
        private boolean done;
        /**
         * The body went past Upload-Length (or max-payload): nothing of this PATCH is kept, however
         * the network cut the body into pieces, so the upload stays at its last durable offset.
         */
        private boolean tooLarge;
        /** The running check as it stood before this chunk, to go back to when the chunk is discarded. */
        private RunningCheck runningBefore;

        Upload(Transfer transfer, Caller caller, byte[] checksum, long limit, Runnable onAbort) {
            this.transfer = transfer;
            this.caller = caller;
            this.checksum = checksum;
            this.limit = limit;
            this.chunkDigest = checksum == null ? null : sha256();
            this.onAbort = onAbort;
        }

        public Transfer transfer() {
            return transfer;
        }

        public String abortReason() {
            return abortReason;
        }

        public long offset() {
            return transfer.offset() + written;
        }

        /** Appends bytes (not yet durable). */
        public void write(ByteBuffer b) throws IOException {
            String r = abortReason;
            if (r != null) {
                throw new TransferProblem(403, r, "transfer aborted: route " + transfer.routeId() + " is " + r);
            }
            if (offset() + b.remaining() > limit) {
                tooLarge = true;
                throw new TransferProblem(413, "PAYLOAD_TOO_LARGE", transfer.lengthKnown()
                        ? "the body goes past Upload-Length " + limit
                        : "the body goes past the route's maximum of " + limit + " bytes");
            }
            if (chunkDigest != null) {
                chunkDigest.update(b.duplicate());
            }
            int n = b.remaining();
            writer.write(b);
            written += n;
        }

        /**
         * Ends the PATCH: verifies the chunk checksum, makes the bytes durable (fsync) and records the
         * new offset; when the upload is complete, checks the envelope (STORED or REJECTED).
         *
         * @return the transfer as it now stands (UPLOADING with its offset, or STORED)
         */
        public Transfer finish() {
            try {
                if (abortReason != null) {
                    throw new TransferProblem(403, abortReason, "transfer aborted: route " + transfer.routeId() + " is "
                            + abortReason);
                }
                if (chunkDigest != null && !MessageDigest.isEqual(chunkDigest.digest(), checksum)) {
                    discardChunk();
                    keepRunning();
                    throw new TransferProblem(460, "CHECKSUM_MISMATCH", "the chunk's SHA-256 differs from Upload-Checksum");
                }
                long offset = offset();
                Transfer now = persist(offset);
                if (now.lengthKnown() && offset == now.length()) {
                    if (now.sha256() == null) {
                        // all bytes are in and durable: the client repeats the empty PATCH with the header
                        keepRunning();
                        throw new TransferProblem(400, "METADATA_INVALID", "sha256 of the envelope must be declared in "
                                + "Upload-Metadata or " + Tus.ENVELOPE_SHA256 + " by the PATCH that completes the upload",
                                offset);
                    }
                    return complete(this, now);
                }
                keepRunning();
                return now;
            } finally {
                release();
            }
        }

        /** The connection broke mid-PATCH: keep what arrived (fsync'd) unless the chunk had a checksum. */
        public void interrupted() {
            if (done) {
                return;
            }
            try {
                if (abortReason == null && checksum == null && !tooLarge && written > 0) {
                    persist(offset());
                    keepRunning();
                } else if (checksum != null || tooLarge) {
                    discardChunk();
                    keepRunning();
                }
            } catch (RuntimeException e) {
                LOG.warn("could not keep the interrupted PATCH of {}: {}", transfer.id(), e.getMessage());
            } finally {
                release();
            }
        }

        private Transfer persist(long offset) {
            try {
                writer.sync();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the spool file: " + e.getMessage(), e);
            }
            Instant now = clock.instant();
            if (!repo.advance(transfer.id(), offset, now, now.plus(UPLOAD_EXPIRY))) {
                throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + transfer.id() + " is no longer in progress");
            }
            return repo.find(transfer.id()).orElseThrow();
        }

        private void discardChunk() {
            try {
                writer.cutBack(transfer.offset(), runningBefore);
            } catch (IOException e) {
                LOG.warn("cannot cut back {}: {}", transfer.id(), e.getMessage());
            }
            written = 0;
        }

        /**
         * Leaves the running check for the next PATCH when it covers exactly the durable offset of a
         * transfer still uploading (under the transfer's lock, so an abort cannot strand it).
         */
        private void keepRunning() {
            RunningCheck d = writer.running();
            if (d == null) {
                return;
            }
            synchronized (lock(transfer.id())) {
                Transfer now = repo.find(transfer.id()).orElse(null);
                if (now != null && now.state() == TransferState.UPLOADING && now.offset() == d.covered()) {
                    runningChecks.put(transfer.id(), d);
                }
            }
        }

        private void release() {
            if (done) {
                return;
            }
            done = true;
            writer.close();
            uploads.remove(transfer.id(), this);
        }

        void kill(String reason) {
            abortReason = reason;
            onAbort.run();
        }
    }

    private Transfer complete(Upload u, Transfer t) {
        synchronized (lock(t.id())) {
            // what was computed while the bytes were written, when it covers all of them
            RunningCheck running = u.writer.running() != null && u.writer.running().covered() == t.length()
                    ? u.writer.running() : null;
            Checked checked = check(t.id(), running);
            Inspection inspection = checked.inspection();
            String actual = checked.sha256();
            PolicySnapshot policy = watcher.current();
            Route route = policy.routes().get(t.routeId());
            String inactive = inactiveReason(policy, route, t.routeId());
            if (u.abortReason != null || inactive != null) {
                String reason = u.abortReason != null ? u.abortReason : inactive;
                abort(t, reason, u.caller, TransferState.ABORTED, EventType.TRANSFER_ABORTED);
                throw new TransferProblem(403, reason, "transfer aborted: route " + t.routeId() + " is " + reason);
            }
            PayloadDecision decision = EnvelopeInspector.check(inspection, recipients(route), route.allowCbc());
            if (decision instanceof PayloadDecision.Refused refused) {
                reject(t, refused.reason().name(), refused.detail(), u.caller, actual);
            }
            if (!actual.equals(t.sha256())) {
                reject(t, "PAYLOAD_HASH_MISMATCH", "the envelope's SHA-256 is " + actual + ", declared " + t.sha256(),
                        u.caller, actual);
            }
            try {
                spool.promote(t.id());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Instant now = clock.instant();
            String receipt = Receipts.receipt(t, TransferState.STORED.name(), now, null, node, signer);
            try {
                audit.commit(event(EventType.TRANSFER_STORED, Outcome.ALLOW, t, u.caller)
                        .detailJson(new Detail().put("filename", t.filename()).put("records", t.records())
                                .put("cipher", inspection.contentCipherName())
                                .put("recipients", inspection.recipients().size()).toString()).build());
            } catch (RuntimeException e) {
                unpromote(t.id());
                throw e;
            }
            if (!repo.markStored(t.id(), now, now.plus(route.retention()), receipt)) {
                spool.delete(t.id());
                throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + t.id() + " ended while it was checked");
            }
            return repo.find(t.id()).orElseThrow();
        }
    }

    /** The envelope's inspection and SHA-256 as the checks of the last PATCH see them. */
    private record Checked(Inspection inspection, String sha256) {
    }

    /**
     * Inspects and hashes a complete upload: from the running check when it can vouch for the whole
     * envelope, else by reading the spool file again (after a restart, or for an envelope the scan
     * leaves to the inspector, such as one in definite lengths).
     */
    private Checked check(String id, RunningCheck running) {
        Optional<Inspection> scanned = running == null ? Optional.empty() : running.inspection();
        if (scanned.isPresent()) {
            return new Checked(scanned.get(), running.hex());
        }
        spoolReads.incrementAndGet();
        MessageDigest md = running == null ? sha256() : null;
        Inspection inspection;
        try (InputStream file = Files.newInputStream(spool.part(id));
             InputStream in = new BufferedInputStream(md == null ? file : new DigestInputStream(file, md), INSPECT_BUFFER)) {
            inspection = EnvelopeInspector.inspect(in);
            if (md != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.debug("{}: read the spool file again to {}", id, md == null ? "inspect it" : "inspect and hash it");
        return new Checked(inspection, md == null ? running.hex() : HexFormat.of().formatHex(md.digest()));
    }

    /** How many complete uploads were read again from the spool to be checked (see {@link #check}). */
    long spoolReads() {
        return spoolReads.get();
    }

    private void unpromote(String id) {
        try {
            Files.move(spool.stored(id), spool.part(id), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot move {} back to .part: {}", id, e.getMessage());
        }
    }

    private void reject(Transfer t, String reason, String detail, Caller caller, String actualSha256) {
        if (repo.end(t.id(), List.of(TransferState.UPLOADING), TransferState.REJECTED, reason, clock.instant())) {
            spool.delete(t.id());
            audit.record(event(EventType.TRANSFER_REJECTED, Outcome.DENY, t, caller).reason(reason)
                    .detailJson(new Detail().put("message", detail).put("actualSha256", actualSha256).toString()).build());
        } else {
            spool.delete(t.id());
        }
        throw new TransferProblem(422, reason, detail);
    }

    /** tus termination: the sender deletes an upload in progress. */
    public void terminate(Caller caller, Admitted a, String id) {
        Transfer t = senderView(caller, a.route(), id);
        if (t.state() != TransferState.UPLOADING) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + id + " is " + t.state());
        }
        Upload u = uploads.get(id);
        if (u != null) {
            u.kill("TERMINATED_BY_SENDER");
        }
        if (!abort(t, "TERMINATED_BY_SENDER", caller, TransferState.ABORTED, EventType.TRANSFER_ABORTED)) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "upload " + id + " is no longer in progress");
        }
    }

    /** Ends an UPLOADING (or, for expiry, a stored) transfer and deletes its spool files; false when it had already ended. */
    private boolean abort(Transfer t, String reason, Caller caller, TransferState to, EventType type) {
        synchronized (lock(t.id())) {
            List<TransferState> from = type == EventType.TRANSFER_EXPIRED
                    ? List.of(TransferState.UPLOADING, TransferState.STORED, TransferState.DELIVERED)
                    : List.of(TransferState.UPLOADING);
            if (!repo.end(t.id(), from, to, reason, clock.instant())) {
                return false;
            }
            runningChecks.remove(t.id());
            spool.delete(t.id());
            AuditEvent.Builder b = event(type, type == EventType.TRANSFER_EXPIRED ? Outcome.ALLOW : Outcome.DENY, t, caller)
                    .reason(reason).bytes(t.offset());
            audit.record(b.build());
            return true;
        }
    }

    // ------------------------------------------------------------------------------------ delivery

    public List<Transfer> inbox(String routeId) {
        return repo.inbox(routeId);
    }

    /** A transfer of this route, for its receivers or (only their own) its senders. */
    public Transfer view(Caller caller, Route route, String id, boolean asSender) {
        Transfer t = repo.find(id).orElse(null);
        if (t == null || !t.routeId().equals(route.id())
                || (asSender && !t.sentBy(caller.principal().subject(), caller.principal().sha256()))) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "no transfer '" + id + "' on route " + route.id());
        }
        return t;
    }

    /** Opens the stored envelope from byte {@code start} for a receiver. */
    public Download openPayload(Caller caller, Admitted a, String id, long start) {
        Transfer t = view(caller, a.route(), id, false);
        if (!t.state().deliverable()) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "transfer " + id + " is " + t.state());
        }
        if (!t.node().equals(node)) {
            throw new TransferProblem(421, "TRANSFER_ON_OTHER_NODE", "transfer " + id + " is held by gateway node " + t.node());
        }
        if (start < 0 || (start >= t.length() && t.length() > 0) || start > t.length()) {
            throw new TransferProblem(416, "RANGE_NOT_SATISFIABLE", "the envelope has " + t.length() + " bytes");
        }
        try {
            FileChannel ch = FileChannel.open(spool.stored(id), StandardOpenOption.READ);
            ch.position(start);
            Download d = new Download(t, caller, ch, start);
            downloads.add(d);
            return d;
        } catch (IOException e) {
            throw new TransferProblem(404, "TRANSFER_UNKNOWN", "transfer " + id + " is no longer held");
        }
    }

    /**
     * The envelope as a stream from disk (never buffered whole). When its last byte is about to be
     * handed out, the first complete download commits TRANSFER_DELIVERED. Throws once the route
     * stops being ACTIVE, which closes the connection.
     */
    public final class Download extends InputStream {
        private final Transfer transfer;
        private final Caller caller;
        private final FileChannel channel;
        private final long start;
        private long position;
        private volatile String abortReason;
        private boolean closed;

        Download(Transfer transfer, Caller caller, FileChannel channel, long start) {
            this.transfer = transfer;
            this.caller = caller;
            this.channel = channel;
            this.start = start;
            this.position = start;
        }

        public long start() {
            return start;
        }

        public long remaining() {
            return transfer.length() - start;
        }

        public Transfer transfer() {
            return transfer;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (abortReason != null) {
                throw new IOException("transfer aborted: route " + transfer.routeId() + " is " + abortReason);
            }
            if (position >= transfer.length()) {
                return -1;
            }
            int want = (int) Math.min(len, transfer.length() - position);
            ByteBuffer buf = ByteBuffer.wrap(b, off, want);
            int n = 0;
            while (buf.hasRemaining()) {
                int r = channel.read(buf);
                if (r < 0) {
                    throw new IOException("spool file of " + transfer.id() + " is shorter than " + transfer.length());
                }
                n += r;
            }
            position += n;
            if (position == transfer.length()) {
                delivered(transfer, caller);
            }
            return n;
        }

        /** Reads into {@code dst} as {@link #read(byte[], int, int)} does (the last byte commits TRANSFER_DELIVERED). */
        public int read(ByteBuffer dst) throws IOException {
            if (abortReason != null) {
                throw new IOException("transfer aborted: route " + transfer.routeId() + " is " + abortReason);
            }
            if (position >= transfer.length()) {
                return -1;
            }
            int want = (int) Math.min(dst.remaining(), transfer.length() - position);
            ByteBuffer buf = dst.slice(dst.position(), want);
            while (buf.hasRemaining()) {
                if (channel.read(buf) < 0) {
                    throw new IOException("spool file of " + transfer.id() + " is shorter than " + transfer.length());
                }
            }
            dst.position(dst.position() + want);
            position += want;
            if (position == transfer.length()) {
                delivered(transfer, caller);
            }
            return want;
        }

        void kill(String reason) {
            abortReason = reason;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                downloads.remove(this);
                channel.close();
            }
        }
    }

    private void delivered(Transfer t, Caller caller) {
        synchronized (lock(t.id())) {
            Transfer now = repo.find(t.id()).orElse(null);
            if (now == null || now.state() != TransferState.STORED) {
                return; // delivered before: only the first complete download is recorded
            }
            audit.commit(event(EventType.TRANSFER_DELIVERED, Outcome.ALLOW, t, caller).build());
            repo.markDelivered(t.id(), clock.instant());
        }
    }

    /**
     * The receiver's acknowledgment: with the right hash the spooled copy is deleted at once
     * (TRANSFER_ACKNOWLEDGED, TRANSFER_PURGED, both committed) and the final receipt returned.
     */
    public String acknowledge(Caller caller, Admitted a, String id, String sha256) {
        Transfer t = view(caller, a.route(), id, false);
        synchronized (lock(id)) {
            t = repo.find(id).orElseThrow();
            if (!t.state().deliverable()) {
                throw new TransferProblem(409, "TRANSFER_NOT_DELIVERABLE", "transfer " + id + " is " + t.state());
            }
            if (!t.node().equals(node)) {
                throw new TransferProblem(421, "TRANSFER_ON_OTHER_NODE", "transfer " + id + " is held by gateway node " + t.node());
            }
            if (sha256 == null || !sha256.toLowerCase(java.util.Locale.ROOT).equals(t.sha256())) {
                audit.record(event(EventType.REQUEST_DENIED, Outcome.DENY, t, caller).reason("ACK_HASH_MISMATCH")
                        .detailJson(new Detail().put("action", "ack").put("acknowledged", sha256).toString()).build());
                throw new TransferProblem(409, "ACK_HASH_MISMATCH", "the envelope's SHA-256 is not " + sha256
                        + "; the gateway keeps its copy");
            }
            for (Download d : downloads) {
                if (d.transfer.id().equals(id)) {
                    d.kill("ACKNOWLEDGED");
                }
            }
            Instant now = clock.instant();
            audit.commit(event(EventType.TRANSFER_ACKNOWLEDGED, Outcome.ALLOW, t, caller).build());
            spool.delete(id);
            audit.commit(event(EventType.TRANSFER_PURGED, Outcome.ALLOW, t, caller).build());
            String receipt = Receipts.receipt(t, TransferState.ACKNOWLEDGED.name(), t.storedAt(), now, node, signer);
            repo.markPurged(id, now, receipt);
            return receipt;
        }
    }

    /** How far the running check kept for the next PATCH of {@code id} reaches, or -1 (none: the last PATCH re-reads). */
    long runningCheckCovers(String id) {
        RunningCheck d = runningChecks.get(id);
        return d == null ? -1 : d.covered();
    }

    public java.util.Optional<Transfer> find(String id) {
        return repo.find(id);
    }

    // ------------------------------------------------------------------------------------ policy, expiry, recovery

    /** Aborts every upload and download in progress on a route that is no longer ACTIVE. */
    void abortInactive(PolicySnapshot snapshot) {
        Instant now = clock.instant();
        for (Upload u : uploads.values()) {
            String r = inactiveReason(snapshot, snapshot.routes().get(u.transfer.routeId()), u.transfer.routeId(), now);
            if (r != null) {
                u.kill(r);
            }
        }
        for (Download d : downloads) {
            String r = inactiveReason(snapshot, snapshot.routes().get(d.transfer.routeId()), d.transfer.routeId(), now);
            if (r != null) {
                d.kill(r);
            }
        }
        for (Transfer t : repo.spooledOn(node)) {
            if (t.state() != TransferState.UPLOADING) {
                continue; // stored payloads wait: the route may be reinstated, and retention still applies
            }
            String r = inactiveReason(snapshot, snapshot.routes().get(t.routeId()), t.routeId(), now);
            if (r != null) {
                abort(t, r, null, TransferState.ABORTED, EventType.TRANSFER_ABORTED);
            }
        }
    }

    private String inactiveReason(PolicySnapshot s, Route r, String routeId) {
        return inactiveReason(s, r, routeId, clock.instant());
    }

    private static String inactiveReason(PolicySnapshot s, Route r, String routeId, Instant now) {
        if (r == null) {
            return "ROUTE_UNKNOWN";
        }
        RouteState st = s.stateOf(r, now);
        return st == RouteState.ACTIVE ? null : st.name();
    }

    /** Expires uploads past Upload-Expires and undelivered transfers past retention; returns how many. */
    public int sweep() {
        Instant now = clock.instant();
        int n = 0;
        for (Transfer t : repo.spooledOn(node)) {
            if (t.expiresAt().isAfter(now) || uploads.containsKey(t.id())) {
                continue;
            }
            String reason = t.state() == TransferState.UPLOADING ? "UPLOAD_EXPIRED" : "RETENTION_EXPIRED";
            if (abort(t, reason, null, TransferState.EXPIRED, EventType.TRANSFER_EXPIRED)) {
                n++;
            }
        }
        return n;
    }

    /**
     * At start-up: every transfer row of this node is reconciled with its spool file (the offset
     * trusted is min(file size, database offset), the file cut to it), and every file no live
     * transfer accounts for is deleted and recorded.
     */
    void recover() {
        Instant now = clock.instant();
        Set<String> live = ConcurrentHashMap.newKeySet();
        for (Transfer t : repo.spooledOn(node)) {
            live.add(t.id());
            try {
                if (t.state() == TransferState.UPLOADING) {
                    if (Files.exists(spool.stored(t.id()))) {
                        unpromote(t.id()); // checked, but the crash came before it was recorded STORED
                    }
                    long size = spool.size(spool.part(t.id()));
                    if (size < 0) {
                        lost(t, now);
                        continue;
                    }
                    long trusted = Math.min(size, t.offset());
                    if (size != trusted) {
                        try (FileChannel ch = FileChannel.open(spool.part(t.id()), StandardOpenOption.WRITE)) {
                            ch.truncate(trusted);
                            ch.force(true);
                        }
                    }
                    if (trusted != t.offset()) {
                        repo.advance(t.id(), trusted, now, t.expiresAt());
                    }
                } else {
                    if (Files.deleteIfExists(spool.part(t.id()))) {
                        orphan(spool.part(t.id()), t);
                    }
                    if (spool.size(spool.stored(t.id())) != t.length()) {
                        lost(t, now);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot recover spool file of " + t.id() + ": " + e.getMessage(), e);
            }
        }
        for (Path f : spool.files()) {
            String id = Spool.idOf(f);
            boolean expected = id != null && live.contains(id)
                    && (f.getFileName().toString().endsWith(Spool.PART) || f.getFileName().toString().endsWith(Spool.CMS));
            if (!expected) {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                orphan(f, id == null ? null : repo.find(id).orElse(null));
            }
        }
    }

    private void lost(Transfer t, Instant now) {
        if (repo.end(t.id(), List.of(t.state()), TransferState.ABORTED, "SPOOL_FILE_MISSING", now)) {
            spool.delete(t.id());
            audit.record(event(EventType.TRANSFER_ABORTED, Outcome.ERROR, t, null).reason("SPOOL_FILE_MISSING").build());
        }
    }

    private void orphan(Path file, Transfer t) {
        AuditEvent.Builder b = AuditEvent.of(EventType.TRANSFER_ABORTED, Outcome.ERROR).reason("SPOOL_ORPHAN")
                .detailJson(new Detail().put("file", file.getFileName()).put("node", node).toString());
        if (t != null) {
            b.transferId(t.id()).routeId(t.routeId()).approvalRef(t.approvalRef());
        }
        audit.record(b.build());
    }

    // ------------------------------------------------------------------------------------ helpers

    private TransferProblem deny(Caller caller, Admitted a, int status, String reason, String message) {
        audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)).reason(reason)
                .routeId(a.route().id()).approvalRef(a.approval().ref())
                .detailJson(new Detail().put("action", "upload").put("message", message).toString()).build());
        return new TransferProblem(status, reason, message);
    }

    private AuditEvent.Builder event(EventType type, Outcome outcome, Transfer t, Caller caller) {
        AuditEvent.Builder b = AuditEvent.of(type, outcome);
        if (caller != null) {
            caller.stamp(b);
        }
        return b.transferId(t.id()).routeId(t.routeId()).approvalRef(t.approvalRef()).bytes(t.length())
                .payloadSha256(t.sha256());
    }

    private final Map<String, List<X509Certificate>> recipientCache = new ConcurrentHashMap<>();

    private List<X509Certificate> recipients(Route r) {
        String key = String.join("\n", r.recipientCertificates());
        return recipientCache.computeIfAbsent(key, k -> {
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                List<X509Certificate> out = new ArrayList<>();
                for (String pem : r.recipientCertificates()) {
                    for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                        out.add((X509Certificate) c);
                    }
                }
                return List.copyOf(out);
            } catch (CertificateException e) {
                throw new IllegalStateException("route " + r.id() + " has an unreadable recipient certificate", e);
            }
        });
    }

    private Object lock(String id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    static String newId() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        policyWorker.shutdownNow();
        writeback.shutdown();
        spoolWriter.shutdown();
    }
}
