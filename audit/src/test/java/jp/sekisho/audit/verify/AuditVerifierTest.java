package jp.sekisho.audit.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier on in-memory chains: each way of tampering, named by sequence number. */
class AuditVerifierTest {

    @TempDir
    Path dir;

    AuditSigningKey key;
    List<RecordedEvent> events;
    List<Checkpoint> checkpoints;

    @BeforeEach
    void chain() throws Exception {
        key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
        events = build(30, ChainHasher.GENESIS, 1);
        checkpoints = new ArrayList<>(List.of(cp(10), cp(20), cp(30)));
    }

    static AuditEvent ev(long i) {
        return AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                .requestId("r" + i)
                .bytes(i)
                .build();
    }

    static List<RecordedEvent> build(int n, String prev, long firstSeq) {
        ChainHasher h = new ChainHasher();
        List<RecordedEvent> out = new ArrayList<>();
        Instant t = Instant.parse("2026-04-01T00:00:00Z");
        for (long s = firstSeq; s < firstSeq + n; s++) {
            AuditEvent e = ev(s);
            String hash = h.hash(prev, "gw1", s, t, e);
            out.add(new RecordedEvent(s, t, "gw1", e, prev, hash));
            prev = hash;
        }
        return out;
    }

    Checkpoint cp(long seq) {
        RecordedEvent e = events.get((int) seq - 1);
        return key.sign("gw1", seq, e.time(), e.hash());
    }

    VerifyResult verify() {
        return AuditVerifier.verify(events.iterator(), checkpoints, key.publicKey());
    }

    static void assertBroken(VerifyResult v, long seq, Kind kind) {
        Broken b = assertInstanceOf(Broken.class, v);
        assertEquals(kind, b.kind(), b.toString());
        assertEquals(seq, b.seq(), b.toString());
    }

    @Test
    void intactChainIsOk() {
        assertEquals(new VerifyResult.Ok(30, 3), verify());
    }

    @Test
    void modifiedEventIsNamed() {
        RecordedEvent e = events.get(11);
        events.set(11, new RecordedEvent(e.seq(), e.time(), e.nodeId(), ev(999), e.prevHash(), e.hash()));
        assertBroken(verify(), 12, Kind.MODIFIED);
    }

    @Test
    void deletedEventsAreNamedInTheMiddleAndAtTheSealedTail() {
        List<RecordedEvent> all = new ArrayList<>(events);
        events.remove(14);
        assertBroken(verify(), 15, Kind.DELETED);
        events = new ArrayList<>(all.subList(0, 25));
        assertBroken(verify(), 26, Kind.DELETED);
    }

    @Test
    void swappedEventsAreReordered() {
        Collections.swap(events, 4, 5);
        assertBroken(verify(), 5, Kind.REORDERED);
    }

    @Test
    void duplicatedEventIsInserted() {
        events.add(8, events.get(7));
        assertBroken(verify(), 8, Kind.INSERTED);
    }

    @Test
    void rewritingTheTailWithFreshHashesIsCaughtByTheSignedCheckpoint() {
        // an attacker who recomputes every hash after event 12 still cannot re-sign checkpoint 20
        List<RecordedEvent> head = new ArrayList<>(events.subList(0, 11));
        ChainHasher h = new ChainHasher();
        RecordedEvent e12 = events.get(11);
        AuditEvent forged = ev(999);
        String hash12 = h.hash(e12.prevHash(), "gw1", 12, e12.time(), forged);
        head.add(new RecordedEvent(12, e12.time(), "gw1", forged, e12.prevHash(), hash12));
        head.addAll(build(18, hash12, 13));
        events = head;
        assertBroken(verify(), 20, Kind.MODIFIED);
    }

    @Test
    void anArchivedHeadVerifiesFromTheSignedCheckpointOnlyWhenAllowed() {
        events = new ArrayList<>(events.subList(10, 30)); // events 1..10 archived; checkpoint 10 seals them
        assertBroken(verify(), 1, Kind.DELETED);
        assertEquals(
                new VerifyResult.Ok(20, 3),
                AuditVerifier.verify(events.iterator(), checkpoints, key.publicKey(), true));
        events = new ArrayList<>(events.subList(2, 20)); // starts at #13: no checkpoint at #12
        assertBroken(AuditVerifier.verify(events.iterator(), checkpoints, key.publicKey(), true), 1, Kind.DELETED);
    }

    @Test
    void forgedOrForeignCheckpointsAreRejected() throws Exception {
        Checkpoint c = checkpoints.get(1);
        checkpoints.set(
                1,
                new Checkpoint(
                        c.nodeId(), c.seq(), c.time(), "00".repeat(32), c.keyId(), c.algorithm(), c.signature()));
        assertBroken(verify(), 20, Kind.BAD_CHECKPOINT);
        AuditSigningKey other = AuditSigningKey.loadOrCreate(dir.resolve("other.key"));
        checkpoints.set(1, other.sign("gw1", 20, c.time(), c.hash()));
        assertBroken(verify(), 20, Kind.BAD_CHECKPOINT);
    }
}
