package jp.sekisho.gateway.relay;

/** How long the relay waits for an upstream. */
final class RelayTimeouts {

    /** TCP connect, and then the TLS handshake, each. */
    static final int CONNECT_MILLIS = 5_000;

    /** From the request's last byte sent upstream to the response's head: else 504 UPSTREAM_TIMEOUT. */
    static final long FIRST_BYTE_MILLIS = 60_000;

    /** An idle pooled upstream connection is closed after this. */
    static final int IDLE_SECONDS = 60;

    /** Idle upstream connections kept per route and event loop. */
    static final int POOL_PER_ROUTE = 32;

    private RelayTimeouts() {}
}
