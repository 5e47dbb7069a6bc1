package jp.sekisho.gateway.edge;

/** Stable reason codes of CONNECTION_REFUSED audit events. */
public final class EdgeReasons {
    /** The client address is inside no CIDR allowed on the listener. */
    public static final String IP_NOT_ALLOWED = "IP_NOT_ALLOWED";
    /** A PROXY protocol header came from a peer that is not a configured load balancer. */
    public static final String PROXY_NOT_TRUSTED = "PROXY_NOT_TRUSTED";
    /** A configured load balancer connected without a valid PROXY header (or a LOCAL one). */
    public static final String PROXY_HEADER_INVALID = "PROXY_HEADER_INVALID";

    private EdgeReasons() {
    }
}
