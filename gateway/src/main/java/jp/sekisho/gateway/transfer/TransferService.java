package jp.sekisho.gateway.transfer;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transfers, as this node's HTTP layers see them (any node serves any transfer of the shared spool); they admit the request on its route first
 * and hand over the {@link Admitted} result. This class only wires and delegates:
 * {@link UploadSessions} (tus creation and PATCHes), {@link EnvelopeGate} (STORED or REJECTED),
 * {@link Deliveries} (inbox, downloads, acknowledgment), {@link Janitor} (policy changes, expiry),
 * {@link SpoolRecovery} (start-up) and {@link TransferEndings} (the endings without delivery).
 *
 * <p>Every change of state is compare-and-set in the database; the few steps of one transfer that
 * must not interleave hold that transfer's own lock ({@link TransferLocks}), across the nodes too
 * ({@link ClusterLocks}); the spool's marker is watched ({@link SpoolGuard}). What lets data through
 * is committed to the audit log before it is answered (TRANSFER_STORED, TRANSFER_DELIVERED,
 * TRANSFER_ACKNOWLEDGED, TRANSFER_PURGED).
 */
public final class TransferService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransferService.class);

    /** tus Upload-Expires: an upload not continued for this long is deleted. */
    public static final Duration UPLOAD_EXPIRY = Duration.ofHours(24);

    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** How often the spool's marker and the cluster lock connection are looked at. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(2);

    private final String node;
    private final Spool spool;
    private final SpoolGuard guard;
    private final ClusterLocks cluster;
    private final PolicyWatcher watcher;
    private final AuditLog audit;
    private final ReceiptSigner signer;
    private final TransferExecutors executors = new TransferExecutors();
    private final UploadSessions sessions;
    private final EnvelopeGate gate;
    private final Deliveries deliveries;
    private final Janitor janitor;
    private final SpoolRecovery recovery;
    private final InboxWaits waits;
    private final InboxNotices notices;

    TransferService(
            String node,
            TransferRepository repo,
            Spool spool,
            String spoolId,
            ClusterLocks.Connector lockConnection,
            ClusterLocks.Connector listenConnection,
            Duration storeTimeout,
            PolicyWatcher watcher,
            AuditLog audit,
            ReceiptSigner signer,
            Clock clock) {
        this.node = node;
        this.spool = spool;
        this.guard = new SpoolGuard(spool.dir(), spoolId);
        this.watcher = watcher;
        this.audit = audit;
        this.signer = signer;
        TransferEvents events = new TransferEvents(audit, node);
        UploadSessions[] cut = new UploadSessions[1]; // the lock connection's loss cuts the PATCHes in progress
        this.cluster = new ClusterLocks(lockConnection, () -> cut[0].cutAll(), storeTimeout);
        TransferLocks locks = new TransferLocks(cluster);
        // the running checks kept between PATCHes: an ended transfer keeps none
        Map<String, RunningCheck> kept = new ConcurrentHashMap<>();
        TransferEndings endings = new TransferEndings(repo, spool, events, locks, clock, kept::remove);
        InboxNotices[] heard = new InboxNotices[1]; // the waiters re-check while notifications are not heard
        this.waits = new InboxWaits(repo::inbox, InboxWaits.MAX_WAITERS, () -> heard[0].live());
        this.notices = new InboxNotices(listenConnection, waits::wake, waits::wakeAll, node);
        heard[0] = notices;
        this.gate = new EnvelopeGate(node, repo, spool, watcher, events, endings, locks, signer, clock, waits::wake);
        this.sessions =
                new UploadSessions(node, repo, spool, guard, events, endings, locks, executors, gate, kept, clock);
        cut[0] = sessions;
        Acknowledgments acks = new Acknowledgments(node, repo, spool, guard, events, signer, clock);
        this.deliveries = new Deliveries(repo, spool, guard, events, locks, acks, clock);
        this.janitor = new Janitor(repo, guard, gate, sessions, deliveries, endings, acks, locks, clock);
        this.recovery = new SpoolRecovery(repo, spool, guard, events, endings, locks, acks, gate, clock);
    }

    /** Recovers the spool, subscribes to policy changes and schedules the expiry sweep. */
    public TransferService start() {
        recovery.recover();
        notices.start();
        watcher.subscribe(snapshot -> executors.policy.execute(() -> {
            try {
                janitor.abortInactive(snapshot);
            } catch (RuntimeException e) {
                LOG.warn("aborting transfers after a policy change failed", e);
            }
        }));
        executors.sweeper.scheduleWithFixedDelay(
                () -> {
                    try {
                        janitor.sweep();
                    } catch (RuntimeException e) {
                        LOG.warn("transfer retention sweep failed", e);
                    }
                },
                SWEEP_EVERY.toMillis(),
                SWEEP_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        executors.prober.scheduleWithFixedDelay(
                () -> {
                    try {
                        guard.probe();
                        cluster.heartbeat();
                    } catch (RuntimeException e) {
                        LOG.warn("spool and lock probe failed", e);
                    }
                },
                PROBE_EVERY.toMillis(),
                PROBE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Whether the spool's marker is there (as last looked at, at most {@link SpoolGuard#FRESH} ago). */
    public boolean spoolAvailable() {
        return guard.available();
    }

    /**
     * The answer to a request that failed on an unexpected error: SPOOL_UNAVAILABLE when the spool's
     * marker is unreadable now (the mount went away under it; the upload keeps its durable offset),
     * else the usual internal error or AUDIT_UNAVAILABLE.
     */
    TransferProblem problemOf(Throwable e) {
        return guard.probe() ? NettyProblems.unexpected(e) : guard.unavailable();
    }

    /** Cuts the cluster lock connection as a dead node's would be (tests: PostgreSQL releases its locks). */
    void dropLockConnection() {
        cluster.close();
        sessions.cutAll();
    }

    /** How many transfers this node holds the cluster lock of now. */
    int clusterLocksHeld() {
        return cluster.held();
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

    /**
     * tus creation: checks size and record count against the route and approval, creates the spool file.
     *
     * @param length null for a deferred length (tus creation-defer-length): a PATCH declares it later
     * @param sha256 null when a PATCH is to declare it (only with a deferred length)
     */
    public Transfer create(Caller caller, Admitted a, Long length, String filename, String sha256, long records) {
        return sessions.create(caller, a, length, filename, sha256, records);
    }

    /** The sender's own transfer on this route, whichever node created it (HEAD, PATCH, DELETE); 404 otherwise. */
    public Transfer senderView(Caller caller, Route route, String id) {
        return sessions.senderView(caller, route, id);
    }

    /**
     * Starts a PATCH: the transfer must be UPLOADING at exactly {@code offset}. The spool file is cut
     * back to the durable offset first (bytes past it were never acknowledged).
     *
     * @param checksum the expected SHA-256 of this chunk (tus checksum extension), or null
     * @param declared the upload's length and SHA-256 if this PATCH declares them (recorded before its body)
     * @param rewind   {@code Sekisho-Upload-Rewind}: start the upload again from byte 0 (see {@link UploadSessions#beginPatch})
     * @param onAbort  closes the request's connection when the route stops being ACTIVE mid-PATCH
     * @throws UploadComplete when the upload is STORED or later (the answer to its last PATCH may have been lost)
     */
    public Upload beginPatch(
            Caller caller,
            Admitted a,
            String id,
            long offset,
            byte[] checksum,
            Tus.Declaration declared,
            boolean rewind,
            Runnable onAbort) {
        return sessions.beginPatch(caller, a, id, offset, checksum, declared, rewind, onAbort);
    }

    /** tus termination: the sender deletes an upload in progress. */
    public void terminate(Caller caller, Admitted a, String id) {
        sessions.terminate(caller, a, id);
    }

    public List<Transfer> inbox(String routeId) {
        return deliveries.inbox(routeId);
    }

    /**
     * The route's inbox, now when it lists anything or {@code wait} is zero, else once a transfer of
     * the route is stored (on any node) or after {@code wait}; no thread is held meanwhile.
     */
    InboxWaits.Pending inbox(String routeId, Duration wait) {
        return waits.await(routeId, wait);
    }

    /** Listings held on this node now (tests wait on it instead of sleeping). */
    public int inboxWaiters() {
        return waits.waiting();
    }

    /** Cuts the inbox notification connection (tests: it comes back, and waiters are re-checked meanwhile). */
    void dropInboxNotices() {
        notices.drop();
    }

    /** Whether this node hears other nodes' stored transfers now. */
    boolean inboxNoticesLive() {
        return notices.live();
    }

    /** A transfer of this route, for its receivers or (only their own) its senders. */
    public Transfer view(Caller caller, Route route, String id, boolean asSender) {
        return deliveries.view(caller, route, id, asSender);
    }

    /** Opens the stored envelope from byte {@code start} for a receiver. */
    public Download openPayload(Caller caller, Admitted a, String id, long start) {
        return deliveries.openPayload(caller, a, id, start);
    }

    /**
     * The receiver's acknowledgment: with the right hash the acknowledgment is recorded, the spooled
     * copy deleted at once (TRANSFER_ACKNOWLEDGED, TRANSFER_PURGED, both committed) and the final
     * receipt returned; the same acknowledgment again answers the same receipt (see {@link Deliveries#acknowledge}).
     */
    public String acknowledge(Caller caller, Admitted a, String id, String sha256) {
        return deliveries.acknowledge(caller, a, id, sha256);
    }

    public Optional<Transfer> find(String id) {
        return sessions.find(id);
    }

    /** Expires uploads past Upload-Expires and undelivered transfers past retention; returns how many. */
    public int sweep() {
        return janitor.sweep();
    }

    /** How far the running check kept for the next PATCH of {@code id} reaches, or -1 (none: the last PATCH re-reads). */
    long runningCheckCovers(String id) {
        return sessions.runningCheckCovers(id);
    }

    /** For tests: a second check of a complete upload, as a sweep or another node runs it. */
    void recheck(Transfer t) {
        gate.recover(t);
    }

    /** How many complete uploads were read again from the spool to be checked. */
    long spoolReads() {
        return gate.spoolReads();
    }

    /** Parks the spool writer's tasks from now on until the returned action runs (tests: a stalled disk). */
    Runnable holdSpoolWriter() {
        return executors.spoolWriter.hold();
    }

    /** Spool writer tasks parked by {@link #holdSpoolWriter()}. */
    int parkedSpoolTasks() {
        return executors.spoolWriter.parked();
    }

    @Override
    public void close() {
        notices.close();
        waits.close(); // the held listings answer the empty list now
        executors.close();
        cluster.close();
    }
}
