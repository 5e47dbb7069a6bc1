package jp.sekisho.gateway.edge;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What the edge handlers need, shared by all connections: which listener owns a local port, the
 * live allowlists, the trusted load balancers of each listener, and the audit writer.
 */
public final class EdgeContext {

    private final Map<Integer, String> listenerByPort;
    private final ListenerAllowlists allowlists;
    private final Map<String, List<Cidr>> trustedProxies;
    private final ConnectionAudit audit;

    public EdgeContext(
            Map<Integer, String> listenerByPort,
            ListenerAllowlists allowlists,
            Map<String, List<Cidr>> trustedProxies,
            ConnectionAudit audit) {
        this.listenerByPort = Map.copyOf(listenerByPort);
        this.allowlists = allowlists;
        this.trustedProxies = Map.copyOf(trustedProxies);
        this.audit = audit;
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
