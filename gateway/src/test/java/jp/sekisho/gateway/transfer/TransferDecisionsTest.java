package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.envelope.EnvelopeKind;
import jp.sekisho.envelope.Inspection;
import jp.sekisho.envelope.PayloadDecision;
import jp.sekisho.envelope.PayloadRefusal;
import org.junit.jupiter.api.Test;

/** The decisions of the transfer classes that need no gateway: envelope verdict, expiry, late declarations, locks. */
class TransferDecisionsTest {

    static final Instant NOW = Instant.parse("2026-04-01T00:00:00Z");
    static final String SHA = "a".repeat(64);
    static final String OTHER = "b".repeat(64);
    static final PayloadDecision ACCEPTED = new PayloadDecision.Accepted(new Inspection(
            EnvelopeKind.AUTH_ENVELOPED, null, null, "AES-256-GCM", 256, List.of(), 10, true, true, null));
    static final PayloadDecision WEAK = new PayloadDecision.Refused(PayloadRefusal.PAYLOAD_WEAK_CIPHER, "AES-128-GCM");

    static Transfer transfer(TransferState state, Long length, String sha, long offset, Instant expiresAt) {
        return new Transfer(
                "t1", "r", "ref", "gw1", "CN=s", "s", "f.cms", length, sha, 1, offset, state, null, NOW, NOW, null,
                null, null, expiresAt, null);
    }

    // ------------------------------------------------------------------ EnvelopeGate

    @Test
    void anAbortComesBeforeAnyRefusal() {
        assertEquals(
                new EnvelopeGate.Verdict.Abort("APPROVAL_SUSPENDED"),
                EnvelopeGate.verdict("APPROVAL_SUSPENDED", WEAK, SHA, OTHER));
    }

    @Test
    void theInspectorsRefusalComesBeforeTheHash() {
        EnvelopeGate.Verdict.Reject r =
                assertInstanceOf(EnvelopeGate.Verdict.Reject.class, EnvelopeGate.verdict(null, WEAK, SHA, OTHER));
        assertEquals("PAYLOAD_WEAK_CIPHER", r.reason());
        assertEquals("AES-128-GCM", r.detail());
    }

    @Test
    void anAcceptedEnvelopeWithAnotherHashIsRejected() {
        EnvelopeGate.Verdict.Reject r =
                assertInstanceOf(EnvelopeGate.Verdict.Reject.class, EnvelopeGate.verdict(null, ACCEPTED, SHA, OTHER));
        assertEquals("PAYLOAD_HASH_MISMATCH", r.reason());
        assertEquals("the envelope's SHA-256 is " + SHA + ", declared " + OTHER, r.detail());
    }

    @Test
    void anAcceptedEnvelopeWithItsHashIsStored() {
        assertInstanceOf(EnvelopeGate.Verdict.Store.class, EnvelopeGate.verdict(null, ACCEPTED, SHA, SHA));
    }

    // ------------------------------------------------------------------ Janitor

    @Test
    void onlyWhatIsPastItsTimeExpires() {
        assertNull(
                Janitor.expiryReason(transfer(TransferState.UPLOADING, 10L, SHA, 0, NOW.plusSeconds(1)), NOW, false));
        assertEquals(
                "UPLOAD_EXPIRED",
                Janitor.expiryReason(transfer(TransferState.UPLOADING, 10L, SHA, 0, NOW), NOW, false));
        assertEquals(
                "RETENTION_EXPIRED",
                Janitor.expiryReason(transfer(TransferState.STORED, 10L, SHA, 10, NOW.minusSeconds(1)), NOW, false));
        assertEquals(
                "RETENTION_EXPIRED",
                Janitor.expiryReason(transfer(TransferState.DELIVERED, 10L, SHA, 10, NOW.minusSeconds(1)), NOW, false));
    }

    @Test
    void aPatchInProgressKeepsItsUploadAlive() {
        assertNull(
                Janitor.expiryReason(transfer(TransferState.UPLOADING, 10L, SHA, 0, NOW.minusSeconds(60)), NOW, true));
    }

    // ------------------------------------------------------------------ Declarations

    private static String refusal(Transfer t, Long length, String sha) {
        return assertThrows(TransferProblem.class, () -> Declarations.decide(t, 1000, new Tus.Declaration(length, sha)))
                .reason();
    }

    @Test
    void whatIsNotYetDeclaredIsRecorded() {
        Transfer deferred = transfer(TransferState.UPLOADING, null, null, 100, NOW);
        assertEquals(
                new Tus.Declaration(500L, SHA), Declarations.decide(deferred, 1000, new Tus.Declaration(500L, SHA)));
        assertEquals(
                new Tus.Declaration(100L, null), Declarations.decide(deferred, 1000, new Tus.Declaration(100L, null)));
    }

    @Test
    void whatIsDeclaredMayBeRepeatedButNotChanged() {
        Transfer known = transfer(TransferState.UPLOADING, 500L, SHA, 100, NOW);
        assertEquals(new Tus.Declaration(null, null), Declarations.decide(known, 1000, new Tus.Declaration(500L, SHA)));
        assertEquals("UPLOAD_LENGTH_MISMATCH", refusal(known, 501L, null));
        assertEquals("SHA256_MISMATCH", refusal(known, null, OTHER));
    }

    @Test
    void aLengthBelowTheOffsetOrAboveTheRouteIsRefused() {
        Transfer deferred = transfer(TransferState.UPLOADING, null, null, 100, NOW);
        assertEquals("UPLOAD_LENGTH_BELOW_OFFSET", refusal(deferred, 99L, null));
        assertEquals("PAYLOAD_TOO_LARGE", refusal(deferred, 1001L, null));
    }

    // ------------------------------------------------------------------ TransferLocks

    @Test
    void oneTransferWaitsForItselfOnlyAndNoLockIsKept() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
                ClusterLocks cluster = new ClusterLocks(pg::superuser, () -> {})) {
            oneTransferWaitsForItselfOnly(new TransferLocks(cluster));
            assertEquals(0, cluster.held(), "every cluster lock is given back");
        }
    }

    @Test
    void anotherNodeWaitsForTheClusterLockUntilTheHolderDies() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        try (ExternalPostgres pg = ExternalPostgres.create();
                ClusterLocks one = new ClusterLocks(pg::superuser, lost::incrementAndGet);
                ClusterLocks two = new ClusterLocks(pg::superuser, () -> {})) {
            ClusterLocks.Hold held = one.tryAcquire("x");
            assertEquals(held.id(), one.tryAcquire("x").id(), "re-entrant on its own node");
            assertNull(two.tryAcquire("x"), "another node does not get it");
            assertEquals("y", two.tryAcquire("y").id(), "another transfer is free");
            TransferLocks twoLocks = new TransferLocks(two);
            TransferProblem busy = assertThrows(TransferProblem.class, () -> twoLocks.run("x", () -> {}));
            assertEquals("UPLOAD_IN_PROGRESS", busy.reason());
            assertEquals(false, twoLocks.ifFree("x", () -> {}), "recovery and sweep skip it");
            // the holder's session dies (a node killed): PostgreSQL releases its locks, and it learns it lost them
            try (var c = pg.superuser();
                    var s = c.createStatement()) {
                long key = ClusterLocks.key("x");
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                        + (key >>> 32) + " AND objid = " + (key & 0xffffffffL));
            }
            one.heartbeat();
            assertEquals(1, lost.get(), "the holder is told it lost its locks");
            assertEquals(0, one.held());
            assertEquals("x", two.tryAcquire("x").id(), "the lock came free with the dead session");
            one.release(held); // a hold of the broken session is not given back twice
            assertNull(one.tryAcquire("x"), "and does not take it from the new holder");
        }
    }

    @Test
    void aLockSessionThatDiedBetweenStepsIsReplacedByTheNextStep() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        try (ExternalPostgres pg = ExternalPostgres.create();
                ClusterLocks locks = new ClusterLocks(pg::superuser, lost::incrementAndGet)) {
            locks.tryAcquire("a");
            // the store restarts between two heartbeats: this node's lock session is gone before the next step
            try (var c = pg.superuser();
                    var s = c.createStatement()) {
                long key = ClusterLocks.key("a");
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                        + (key >>> 32) + " AND objid = " + (key & 0xffffffffL));
            }
            ClusterLocks.Hold b = locks.tryAcquire("b");
            assertEquals("b", b.id(), "a fresh session takes the lock: a dead session is not an outage of the store");
            assertEquals(1, lost.get(), "the holds of the dead session are reported lost");
            assertEquals(1, locks.held(), "only the new hold");
        }
    }

    private static void oneTransferWaitsForItselfOnly(TransferLocks locks) throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread holder = new Thread(() -> locks.run("a", () -> {
            inside.countDown();
            await(leave);
        }));
        holder.start();
        inside.await();
        assertEquals("b", locks.with("b", () -> "b"), "another transfer does not wait");
        AtomicInteger sameRan = new AtomicInteger();
        Thread same = new Thread(() -> locks.run("a", sameRan::incrementAndGet));
        same.start();
        same.join(200);
        assertEquals(0, sameRan.get(), "the same transfer waits");
        leave.countDown();
        holder.join();
        same.join();
        assertEquals(1, sameRan.get());
        assertEquals(0, locks.size(), "no lock is kept once unused");
        assertEquals(2, locks.with("a", () -> locks.with("a", () -> 2)), "reentrant");
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
