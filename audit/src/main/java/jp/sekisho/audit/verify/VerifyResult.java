package jp.sekisho.audit.verify;

/** The outcome of verifying an audit log: all intact, or the first event found wrong. */
public sealed interface VerifyResult {

    /**
     * Every event linked and matched every signed checkpoint.
     *
     * @param notes what the verification found worth saying though nothing is wrong: key rotations by name
     *              ({@code ROTATED: gw1 key 0a1b… → 9f8e… at gw1#1234 (signed by the old key)})
     */
    record Ok(long events, long checkpoints, java.util.List<String> notes) implements VerifyResult {
        public Ok {
            notes = java.util.List.copyOf(notes);
        }

        public Ok(long events, long checkpoints) {
            this(events, checkpoints, java.util.List.of());
        }
    }

    /**
     * The first problem found.
     *
     * @param nodeId the chain (node) it is in
     * @param seq    the sequence number of the event concerned (for a deletion: the first missing one)
     */
    record Broken(String nodeId, long seq, Kind kind, String message) implements VerifyResult {}

    enum Kind {
        /** the event's content no longer matches its hash, or its successor's link, or a checkpoint */
        MODIFIED,
        /** events are missing */
        DELETED,
        /** an event was added that the chain does not contain */
        INSERTED,
        /** an event sits at another place in the sequence than the one it was written at */
        REORDERED,
        /** a checkpoint's signature is invalid or by another key */
        BAD_CHECKPOINT,
        /** the input could not be read as an audit export */
        UNREADABLE,
        /**
         * the export stream was cut (no end record, a torn last line, or the server's error record):
         * incomplete, not tampered with; fetch it again
         */
        TRUNCATED
    }

    /** Not a verdict on the log: the export was incomplete. */
    default boolean truncated() {
        return this instanceof Broken b && b.kind() == Kind.TRUNCATED;
    }

    default boolean ok() {
        return this instanceof Ok;
    }
}
