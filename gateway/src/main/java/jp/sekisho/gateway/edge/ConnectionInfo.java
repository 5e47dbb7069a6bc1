package jp.sekisho.gateway.edge;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import jp.sekisho.gateway.identity.Principal;

/**
 * What the gateway knows about one connection, kept as a channel attribute: the listener it came in
 * on, the TCP peer, the client address (the PROXY header's source when a trusted load balancer sent
 * one, else the peer), and the verified principal once the TLS handshake succeeded.
 */
public final class ConnectionInfo {

    public static final AttributeKey<ConnectionInfo> KEY = AttributeKey.valueOf("sekisho.connection");

    private final String listener;
    private final int listenerPort;
    private final InetSocketAddress peer;
    private volatile InetSocketAddress client;
    private volatile Principal principal;
    /** The audit log could not record the accepted connection: its requests are refused, not served. */
    private volatile boolean unrecorded;

    public ConnectionInfo(String listener, int listenerPort, InetSocketAddress peer) {
        this.listener = listener;
        this.listenerPort = listenerPort;
        this.peer = peer;
        this.client = peer;
    }

    public static ConnectionInfo of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public String listener() {
        return listener;
    }

    public int listenerPort() {
        return listenerPort;
    }

    public InetSocketAddress peer() {
        return peer;
    }

    /** The client's address as the allowlist judged it. */
    public InetSocketAddress client() {
        return client;
    }

    void client(InetSocketAddress address) {
        this.client = address;
    }

    /** The verified principal, or null before the handshake completed. */
    public Principal principal() {
        return principal;
    }

    public void principal(Principal p) {
        this.principal = p;
    }

    public String clientIp() {
        return client.getAddress().getHostAddress();
    }

    /**
     * True when CONNECTION_ACCEPTED could not be written (the store was down): the first request is
     * answered 503 AUDIT_UNAVAILABLE and the connection closed, so the client learns why instead of
     * seeing the connection drop after the handshake.
     */
    public boolean unrecorded() {
        return unrecorded;
    }

    public void markUnrecorded() {
        this.unrecorded = true;
    }
}
