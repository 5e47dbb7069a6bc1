package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import org.junit.jupiter.api.Test;

/** An event detail must be one JSON value with one meaning: refused at the caller, before it is queued. */
class EventValidatorTest {

    static AuditEvent withDetail(String json) {
        return AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                .reason("ROLE_REQUIRED")
                .detailJson(json)
                .build();
    }

    @Test
    void detailsAsTheGatewayWritesThemPass() {
        assertDoesNotThrow(() -> EventValidator.check(withDetail("{\"method\":\"GET\",\"path\":\"/api/v1/x\"}")));
        assertDoesNotThrow(() -> EventValidator.check(
                withDetail("{\"node\":\"gw1\",\"listeners\":{\"admin\":9443,\"transfer\":8443}}")));
    }

    @Test
    void anAmbiguousOrMalformedDetailIsRefusedWithItsReason() {
        IllegalArgumentException dup = assertThrows(
                IllegalArgumentException.class,
                () -> EventValidator.check(withDetail("{\"action\":\"ack\",\"action\":\"purge\"}")));
        assertTrue(
                dup.getMessage().startsWith("detailJson: invalid JSON at offset ")
                        && dup.getMessage().endsWith(": Duplicate field 'action'"),
                dup.getMessage());
        IllegalArgumentException escape = assertThrows(
                IllegalArgumentException.class, () -> EventValidator.check(withDetail("{\"a\":\"\\u+041\"}")));
        assertTrue(escape.getMessage().startsWith("detailJson: invalid JSON at offset "), escape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventValidator.check(withDetail("{\"a\":1} {\"b\":2}")));
    }
}
