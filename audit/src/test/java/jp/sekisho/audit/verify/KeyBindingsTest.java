package jp.sekisho.audit.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.keys.KeyEvents;
import jp.sekisho.audit.keys.KeyOrigin;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;
import org.junit.jupiter.api.Test;

/**
 * Which key may sign where, from the chain's own key events, on an in-memory chain: gw1 registers K1 at #1,
 * rotates to K2 at #6; checkpoints at #5 (K1) and #10 (K2).
 */
class KeyBindingsTest {

    final AuditSigningKey k1 = AuditSigningKey.generate();
    final AuditSigningKey k2 = AuditSigningKey.generate();
    final Instant t = Instant.parse("2026-12-01T00:00:00Z");

    List<RecordedEvent> chain(AuditEvent rotation) {
        ChainHasher h = new ChainHasher();
        List<RecordedEvent> out = new ArrayList<>();
        String prev = ChainHasher.GENESIS;
        for (long s = 1; s <= 10; s++) {
            AuditEvent e = s == 1
                    ? KeyEvents.registered("gw1", k1.publicKey(), KeyOrigin.FIRST_START)
                    : s == 6
                            ? rotation
                            : AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                                    .requestId("r" + s)
                                    .build();
            String hash = h.hash(prev, "gw1", s, t, e);
            out.add(new RecordedEvent(s, t, "gw1", e, prev, hash));
            prev = hash;
        }
        return out;
    }

    AuditEvent rotation(AuditSigningKey signer) {
        return KeyEvents.rotated("gw1", k1.keyId(), signer, k2.publicKey(), "scheduled", "ops");
    }

    VerifyResult verify(List<RecordedEvent> events, AuditSigningKey at5, AuditSigningKey at10, KeySet keys) {
        List<Checkpoint> cps = List.of(
                at5.sign("gw1", 5, t, events.get(4).hash()),
                at10.sign("gw1", 10, t, events.get(9).hash()));
        return AuditVerifier.verify(events.iterator(), cps, keys, false, null);
    }

    KeySet both() {
        return KeySet.ofKeys(List.of(k1.publicKey(), k2.publicKey()), "both keys");
    }

    @Test
    void aRotationSignedByTheOldKeyIsReportedByNameAndPasses() {
        VerifyResult v = verify(chain(rotation(k1)), k1, k2, both());
        VerifyResult.Ok ok = assertInstanceOf(VerifyResult.Ok.class, v, v.toString());
        assertEquals(
                List.of("ROTATED: gw1 key " + k1.keyId() + " → " + k2.keyId() + " at gw1#6 (signed by the old key)"),
                ok.notes());
    }

    @Test
    void aRotationWhoseOldKeySignatureIsForgedFails() {
        Broken b = assertInstanceOf(Broken.class, verify(chain(rotation(k2)), k1, k2, both()));
        assertEquals(Kind.BAD_CHECKPOINT, b.kind());
        assertEquals(6, b.seq());
        assertTrue(b.message().contains("signature is invalid"), b.message());
    }

    @Test
    void theOldKeySigningAfterTheRotationFails() {
        Broken b = assertInstanceOf(Broken.class, verify(chain(rotation(k1)), k1, k1, both()));
        assertEquals(10, b.seq());
        assertTrue(b.message().contains("not registered for node gw1 at that point"), b.message());
    }

    @Test
    void aKeyMissingFromTheSetIsNamed() {
        Broken b = assertInstanceOf(
                Broken.class, verify(chain(rotation(k1)), k1, k2, KeySet.of(k2.publicKey(), "k2.pem")));
        assertEquals(5, b.seq());
        assertTrue(
                b.message().contains("signed by key " + k1.keyId() + " which is not registered for node gw1"),
                b.message());
    }
}
