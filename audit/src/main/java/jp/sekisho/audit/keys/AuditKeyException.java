package jp.sekisho.audit.keys;

/**
 * The node's audit signing key cannot be used: start-up or rotation stops. The message is one line, Japanese then
 * English, starting with the stable {@link #code()} and saying what to do next.
 */
public final class AuditKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The key file is missing while the node's chain exists: restore it from backup, or rotate on purpose. */
    public static final String MISSING = "AUDIT_KEY_MISSING";
    /** The key file is not the key registered for the node. */
    public static final String MISMATCH = "AUDIT_KEY_MISMATCH";
    /** Another live process holds the node's chain (a running gateway with the same node-id). */
    public static final String NODE_IN_USE = "AUDIT_NODE_IN_USE";

    private final String code;

    public AuditKeyException(String code, String japanese, String english) {
        super(code + ": " + japanese + " / " + english);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
