package jp.sekisho.gateway.attack;

import java.util.List;
import java.util.function.BiConsumer;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;

/** What the gateway must do with a hostile case. */
sealed interface Expected {

    /**
     * An HTTP problem answer with this status and reason, and exactly one refusing audit event of
     * that request (type, DENY, reason); {@code closes}: the connection must be closed after it and
     * nothing sent after it answered (a smuggled request).
     */
    record Refused(int status, String reason, EventType event, boolean closes) implements Expected {}

    /**
     * No HTTP answer: the handshake fails or the connection is closed; exactly one event of that
     * type and reason names the connection's source port, and {@code more} judges it further.
     */
    record ConnectionRefused(EventType event, String reason, java.util.function.Consumer<RecordedEvent> more)
            implements Expected {

        ConnectionRefused(EventType event, String reason) {
            this(event, reason, e -> {});
        }
    }

    /**
     * Served with this status; {@code check} judges the answer and the audit events that name the
     * connection's source port (e.g. a truncation marker in an over-long subject).
     */
    record Served(int status, BiConsumer<Answer, List<RecordedEvent>> check) implements Expected {}

    static Expected refused(int status, String reason) {
        return new Refused(status, reason, EventType.REQUEST_DENIED, false);
    }

    static Expected refused(int status, String reason, EventType event) {
        return new Refused(status, reason, event, false);
    }

    static Expected framing() {
        return new Refused(400, "REQUEST_FRAMING_INVALID", EventType.REQUEST_DENIED, true);
    }

    static Expected tlsFailed(String reason) {
        return new ConnectionRefused(EventType.TLS_FAILED, reason);
    }

    static Expected connectionRefused(String reason) {
        return new ConnectionRefused(EventType.CONNECTION_REFUSED, reason);
    }
}
