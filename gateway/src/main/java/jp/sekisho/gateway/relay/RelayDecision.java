package jp.sekisho.gateway.relay;

import jp.sekisho.gateway.admission.Reason;

/** What {@link RelayAdmission} decided for one request. */
public sealed interface RelayDecision {

    /** Forward it upstream on {@code route}. */
    record Forward(RelayRoute route) implements RelayDecision {}

    /**
     * Refuse it with {@code reason}; {@code route} is the relay route on the listener when there was
     * one (the audit event names it), else null.
     */
    record Refuse(Reason reason, String message, RelayRoute route) implements RelayDecision {}
}
