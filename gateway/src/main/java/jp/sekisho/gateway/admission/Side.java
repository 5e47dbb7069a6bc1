package jp.sekisho.gateway.admission;

/** Which side of a route a request acts for. */
public enum Side {
    SENDER,
    RECEIVER;

    /** "sender" / "receiver", as audit details and messages spell it. */
    public String label() {
        return this == SENDER ? "sender" : "receiver";
    }
}
