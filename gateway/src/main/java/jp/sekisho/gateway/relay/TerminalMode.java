package jp.sekisho.gateway.relay;

/** How terminals speak to the gateway on a relay listener. */
public enum TerminalMode {
    /** TLS with a client certificate that must name one of the route's terminals. */
    MTLS,
    /** TLS, server side only: terminals are browsers, controlled by their address (the Kurume appendix). */
    TLS,
    /** Plain HTTP: only on a listener the operator marked {@code closed-network: true}. */
    HTTP;

    public String yaml() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
