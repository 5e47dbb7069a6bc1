package jp.sekisho.envelope;

/** The gateway's verdict on a payload's envelope. */
public sealed interface PayloadDecision {

    /** The envelope is encrypted with an accepted cipher for exactly the registered recipients. */
    record Accepted(Inspection inspection) implements PayloadDecision {}

    /** Refused: {@code reason} is the audit reason code, {@code detail} a human explanation. */
    record Refused(PayloadRefusal reason, String detail) implements PayloadDecision {}

    default boolean accepted() {
        return this instanceof Accepted;
    }
}
