package jp.sekisho.gateway.transfer;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.envelope.EnvelopeInspector;
import jp.sekisho.envelope.Inspection;
import jp.sekisho.envelope.PayloadDecision;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of a complete upload: STORED (promoted, TRANSFER_STORED committed, signed
 * receipt) or REJECTED (deleted, TRANSFER_REJECTED), or ABORTED when its route stopped being ACTIVE.
 *
 * <p>The check itself (hash and inspection, maybe reading gigabytes of spool file again) runs
 * under no lock. Only the step that lets the envelope through is under the transfer's own lock,
 * shared with the endings of that transfer: so an abort either comes first, and the upload is
 * not stored, or finds it STORED and leaves it; TRANSFER_STORED never follows TRANSFER_ABORTED.
 */
final class EnvelopeGate {

    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeGate.class);
    /** Read buffer of the envelope check: larger reads bring it close to a plain read of the file. */
    private static final int INSPECT_BUFFER = 1024 * 1024;

    private final String node;
    private final TransferRepository repo;
    private final Spool spool;
    private final PolicyWatcher watcher;
    private final TransferEvents events;
    private final TransferEndings endings;
    private final TransferLocks locks;
    private final ReceiptSigner signer;
    private final Clock clock;
    /** Told the route of each transfer stored here: its receivers waiting on this node list again at once. */
    private final Consumer<String> onStored;

    private final Map<String, List<X509Certificate>> recipientCache = new ConcurrentHashMap<>();
    private final AtomicLong spoolReads = new AtomicLong();

    EnvelopeGate(
            String node,
            TransferRepository repo,
            Spool spool,
            PolicyWatcher watcher,
            TransferEvents events,
            TransferEndings endings,
            TransferLocks locks,
            ReceiptSigner signer,
            Clock clock,
            Consumer<String> onStored) {
        this.node = node;
        this.repo = repo;
        this.spool = spool;
        this.watcher = watcher;
        this.events = events;
        this.endings = endings;
        this.locks = locks;
        this.signer = signer;
        this.clock = clock;
        this.onStored = onStored;
    }

    /** What becomes of a complete upload, the first that applies of: aborted, envelope refused, hash differs, stored. */
    sealed interface Verdict {
        record Abort(String reason) implements Verdict {}

        record Reject(String reason, String detail) implements Verdict {}

        record Store() implements Verdict {}
    }

    /**
     * @param abortReason the route's state when it is no longer ACTIVE (or the sender's termination), else null
     * @param decision    the inspector's verdict on the envelope; not looked at when aborted
     */
    static Verdict verdict(String abortReason, PayloadDecision decision, String actualSha256, String declaredSha256) {
        if (abortReason != null) {
            return new Verdict.Abort(abortReason);
        }
        if (decision instanceof PayloadDecision.Refused refused) {
            return new Verdict.Reject(refused.reason().name(), refused.detail());
        }
        if (!actualSha256.equals(declaredSha256)) {
            return new Verdict.Reject(
                    "PAYLOAD_HASH_MISMATCH",
                    "the envelope's SHA-256 is " + actualSha256 + ", declared " + declaredSha256);
        }
        return new Verdict.Store();
    }

    /** Checks the complete upload {@code t} and stores it; throws the PATCH's problem when it is not stored. */
    Transfer complete(Upload u, Transfer t) {
        return complete(t, u.runningOver(t.length()), u::abortReason, u.caller());
    }

    /**
     * At start-up, before any connection: the upload {@code t}, whose last byte was written before
     * a crash, is checked from its spool file as its last PATCH would have been, and ends STORED or
     * REJECTED (or ABORTED, its route no longer ACTIVE) the same way. A check that fails otherwise
     * (the spool file unreadable) leaves it UPLOADING: the sender's empty PATCH at its length checks it again.
     */
    void recover(Transfer t) {
        try {
            Transfer stored = complete(t, null, () -> null, null);
            LOG.info(
                    "転送 {} を再起動後に検査し保管しました / transfer {} checked after the restart: {}",
                    t.id(),
                    t.id(),
                    stored.state());
        } catch (TransferProblem e) {
            LOG.info(
                    "転送 {} を再起動後に検査し拒否しました / transfer {} checked after the restart: {} {}",
                    t.id(),
                    t.id(),
                    e.reason(),
                    e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn(
                    "転送 {} を再起動後に検査できませんでした / transfer {} could not be checked after the restart: {}",
                    t.id(),
                    t.id(),
                    e.toString());
        }
    }

    /**
     * @param running what the PATCHes computed over the whole envelope, or null (read the spool file)
     * @param killed  why the upload was cut off meanwhile (its route stopped, the sender deleted it), or null
     * @param caller  the sender whose PATCH completed it; null for the gateway's own recovery
     */
    private Transfer complete(Transfer t, RunningCheck running, Supplier<String> killed, Caller caller) {
        Checked checked;
        try {
            checked = check(t.id(), running);
        } catch (UncheckedIOException e) {
            if (killed.get() != null) {
                throw abort(t, killed.get(), caller); // aborted while checked: its spool file is gone
            }
            Optional<Transfer> stored = storedMeanwhile(t.id());
            if (stored.isPresent()) {
                return stored.get(); // another check stored it and moved its spool file
            }
            throw e;
        }
        PolicySnapshot policy = watcher.current();
        Route route = policy.routes().get(t.routeId());
        String abort = abortReason(killed, policy, route);
        PayloadDecision decision = abort != null
                ? null
                : EnvelopeInspector.check(
                        checked.inspection(), recipients(route), route.allowCbc(), route.compression());
        Verdict v = verdict(abort, decision, checked.sha256(), t.sha256());
        if (v instanceof Verdict.Abort a) {
            throw abort(t, a.reason(), caller);
        }
        if (v instanceof Verdict.Reject r) {
            throw endings.reject(t, r.reason(), r.detail(), caller, checked.sha256());
        }
        return locks.with(t.id(), () -> store(t, killed, caller, checked.inspection()));
    }

    /**
     * Under the transfer's lock: lets the envelope through unless an abort came first. TRANSFER_STORED
     * is committed unless the audit store holds it already (a crash came between it and the row).
     */
    private Transfer store(Transfer t, Supplier<String> killed, Caller caller, Inspection inspection) {
        PolicySnapshot policy = watcher.current();
        Route route = policy.routes().get(t.routeId());
        String abort = abortReason(killed, policy, route);
        if (abort != null) {
            throw abort(t, abort, caller);
        }
        Transfer current = repo.find(t.id()).orElse(null);
        if (current == null || current.state() != TransferState.UPLOADING) {
            return alreadyStored(t.id(), current);
        }
        try {
            spool.promote(t.id());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // stored when TRANSFER_STORED says so: its time if it was committed before a crash, else now
        Optional<Instant> recorded;
        try {
            recorded = repo.recordedAt(t.id(), EventType.TRANSFER_STORED);
            if (recorded.isEmpty()) {
                events.log()
                        .commit(events.event(EventType.TRANSFER_STORED, Outcome.ALLOW, t, caller)
                                .detailJson(new Detail()
                                        .put("filename", t.filename())
                                        .put("records", t.records())
                                        .put("cipher", inspection.contentCipherName())
                                        .put(
                                                "recipients",
                                                inspection.recipients().size())
                                        .toString())
                                .build());
            }
        } catch (RuntimeException e) {
            spool.unpromote(t.id());
            throw e;
        }
        Instant now = recorded.orElseGet(clock::instant);
        String receipt = Receipts.receipt(t, TransferState.STORED.name(), now, null, node, signer);
        if (!repo.markStored(t.id(), now, now.plus(route.retention()), receipt)) {
            Transfer ended = repo.find(t.id()).orElse(null);
            if (ended == null || !ended.state().storedOrLater()) {
                spool.delete(t.id()); // ended otherwise meanwhile: its envelope goes with it
            }
            return alreadyStored(t.id(), ended); // a stored envelope is never deleted here
        }
        onStored.accept(t.routeId());
        return repo.find(t.id()).orElseThrow();
    }

    /**
     * Another check of the same complete upload got there first (the sender's repeated empty PATCH
     * and a sweep, or a node that lost its lock): the bytes are the same, so its STORED is this
     * check's answer too. Any other ending is reported as it stands.
     */
    private Transfer alreadyStored(String id, Transfer current) {
        if (current != null && current.state().storedOrLater()) {
            LOG.info("転送 {} は別の検査で保管済みです / transfer {} was stored by another check meanwhile", id, id);
            return current;
        }
        throw new TransferProblem(
                Reason.TRANSFER_UNKNOWN,
                "upload " + id + " ended while it was checked" + (current == null ? "" : " (" + current.state() + ")"));
    }

    private Optional<Transfer> storedMeanwhile(String id) {
        return repo.find(id).filter(x -> x.state().storedOrLater());
    }

    private String abortReason(Supplier<String> killed, PolicySnapshot policy, Route route) {
        String k = killed.get();
        return k != null ? k : Janitor.inactiveReason(policy, route, clock.instant());
    }

    private TransferProblem abort(Transfer t, String reason, Caller caller) {
        TransferProblem refused = TransferProblem.aborted(t.routeId(), reason);
        // TRANSFER_ABORTED with this request's caller is its refusal when this call ended the transfer
        return endings.abort(t, reason, caller) ? refused.markAudited() : refused;
    }

    /** The envelope's inspection and SHA-256 as the checks of the last PATCH see them. */
    private record Checked(Inspection inspection, String sha256) {}

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
        MessageDigest md = running == null ? RunningCheck.sha256() : null;
        Inspection inspection;
        try (InputStream file = Files.newInputStream(spool.part(id));
                InputStream in =
                        new BufferedInputStream(md == null ? file : new DigestInputStream(file, md), INSPECT_BUFFER)) {
            inspection = EnvelopeInspector.inspect(in);
            if (md != null) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.debug("{}: read the spool file again to {}", id, md == null ? "inspect it" : "inspect and hash it");
        return new Checked(
                inspection, md == null ? running.hex() : HexFormat.of().formatHex(md.digest()));
    }

    /** How many complete uploads were read again from the spool to be checked (see {@link #check}). */
    long spoolReads() {
        return spoolReads.get();
    }

    private List<X509Certificate> recipients(Route r) {
        String key = String.join("\n", r.recipientCertificates());
        return recipientCache.computeIfAbsent(key, k -> {
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                List<X509Certificate> out = new ArrayList<>();
                for (String pem : r.recipientCertificates()) {
                    for (var c : cf.generateCertificates(
                            new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                        out.add((X509Certificate) c);
                    }
                }
                return List.copyOf(out);
            } catch (CertificateException e) {
                throw new IllegalStateException("route " + r.id() + " has an unreadable recipient certificate", e);
            }
        });
    }
}
