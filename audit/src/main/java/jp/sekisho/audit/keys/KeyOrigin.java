package jp.sekisho.audit.keys;

/** How a node's signing key came to be registered: its first start, an existing install adopted, or a rotation. */
public enum KeyOrigin {
    FIRST_START("first-start"),
    ADOPTED("adopted"),
    ROTATION("rotation");

    private final String stored;

    KeyOrigin(String stored) {
        this.stored = stored;
    }

    /** The name in the {@code origin} column and in event details. */
    public String stored() {
        return stored;
    }

    public static KeyOrigin of(String stored) {
        for (KeyOrigin o : values()) {
            if (o.stored.equals(stored)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown key origin " + stored);
    }
}
