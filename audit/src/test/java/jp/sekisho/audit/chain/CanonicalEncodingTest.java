package jp.sekisho.audit.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import org.junit.jupiter.api.Test;

class CanonicalEncodingTest {

    static final Instant T = Instant.parse("2026-04-01T09:30:00.123456Z");

    static AuditEvent event(String reason, String route) {
        return AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                .reason(reason)
                .routeId(route)
                .build();
    }

    @Test
    void nullAndEmptyAndFieldBoundariesAllEncodeDifferently() {
        assertFalse(java.util.Arrays.equals(
                CanonicalEncoding.encode("n", 1, T, event(null, null)),
                CanonicalEncoding.encode("n", 1, T, event("", null))));
        assertFalse(java.util.Arrays.equals(
                CanonicalEncoding.encode("n", 1, T, event("ab", "c")),
                CanonicalEncoding.encode("n", 1, T, event("a", "bc"))));
        assertFalse(
                java.util.Arrays.equals(
                        CanonicalEncoding.encode("n", 1, T, event("a", null)),
                        CanonicalEncoding.encode("n", 2, T, event("a", null))),
                "the sequence number is covered");
    }

    @Test
    void encodingIsDeterministicAndPinned() {
        AuditEvent e = AuditEvent.of(EventType.TRANSFER_STORED, Outcome.ALLOW)
                .reason("OK")
                .principal(new AuditPrincipal("CN=総務課", "0a", "ff".repeat(32)))
                .source("2001:db8::1", 443)
                .listenerPort(8443)
                .routeId("r1")
                .approvalRef("2総政第158号")
                .transferId("t1")
                .bytes(42L)
                .payloadSha256("00".repeat(32))
                .requestId("q1")
                .detailJson("{\"a\":[1,2]}")
                .build();
        assertArrayEquals(CanonicalEncoding.encode("gw1", 7, T, e), CanonicalEncoding.encode("gw1", 7, T, e));
        // Pinned, and computed independently from the documented layout (a few lines of Python's hashlib/struct):
        // changing the encoding breaks every stored chain, so it must be a deliberate, versioned change.
        assertEquals(
                "29ced535b84a5411186bb681537052c3fed24f58358e48352239e7421f1e4c73",
                new ChainHasher().hash(ChainHasher.GENESIS, "gw1", 7, T, e));
        assertEquals(
                "29ced535b84a5411186bb681537052c3fed24f58358e48352239e7421f1e4c73",
                new ChainHasher().hash(ChainHasher.GENESIS, "gw1", 7, T, CanonicalEncoding.tail(e)),
                "the writer's precomputed-tail path hashes the same bytes");
    }

    @Test
    void timeIsMicrosecondsSinceTheEpoch() {
        Instant withNanos = Instant.parse("2026-04-01T09:30:00.123456789Z");
        assertEquals(T, CanonicalEncoding.truncate(withNanos));
        assertEquals(1775035800123456L, CanonicalEncoding.micros(T));
        assertNotEquals(
                new ChainHasher().hash(ChainHasher.GENESIS, "n", 1, T, event("a", null)),
                new ChainHasher().hash(ChainHasher.GENESIS, "n", 1, T.plusNanos(1000), event("a", null)));
    }
}
