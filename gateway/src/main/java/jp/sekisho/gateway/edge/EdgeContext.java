package jp.sekisho.gateway.edge;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.admission.Reason;

/**
 * What the edge handlers need, shared by all connections: which listener owns a local port, the
 * live allowlists, the trusted load balancers of each listener, and the audit writer.
 */
public final class EdgeContext {

    private final Map<Integer, String> listenerByPort;
    private final ListenerAllowlists allowlists;
    private final Map<String, List<Cidr>> trustedProxies;
    private final ConnectionAudit audit;
    private final ConnectionRate rate;

    public EdgeContext(
            Map<Integer, String> listenerByPort,
            ListenerAllowlists allowlists,
            Map<String, List<Cidr>> trustedProxies,
            ConnectionAudit audit,
            ConnectionRate rate) {
        this.listenerByPort = Map.copyOf(listenerByPort);
        this.allowlists = allowlists;
        this.trustedProxies = Map.copyOf(trustedProxies);
        this.audit = audit;
        this.rate = rate;
    }

    /**
     * Judges a new connection by its peer address alone, once, when its pipeline is built: the reason
     * to refuse it (IP_NOT_ALLOWED, CONNECTION_RATE_LIMITED), or null to go on (a trusted load balancer
     * is judged later by its PROXY header's source). Takes a token from the peer's bucket when admitted.
     */
    public Reason refusal(String listener, InetAddress peer) {
        if (listener == null || isTrustedProxy(listener, peer)) {
            return null;
        }
        if (!allowlists.allows(listener, peer)) {
            return Reason.IP_NOT_ALLOWED;
        }
        return rate.tryAcquire(peer) ? null : Reason.CONNECTION_RATE_LIMITED;
    }

    public String listenerAt(int localPort) {
        return listenerByPort.get(localPort);
    }

    public boolean isTrustedProxy(String listener, InetAddress peer) {
        for (Cidr c : trustedProxies.getOrDefault(listener, List.of())) {
            if (c.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    public ListenerAllowlists allowlists() {
        return allowlists;
    }

    public ConnectionAudit audit() {
        return audit;
    }
}
