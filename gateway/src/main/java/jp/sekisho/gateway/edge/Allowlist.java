package jp.sekisho.gateway.edge;

import java.net.InetAddress;
import java.util.List;

/**
 * The networks one listener admits at one moment: its own CIDRs plus those of the routes bound to
 * it. Immutable; {@link ListenerAllowlists} swaps whole snapshots.
 */
public record Allowlist(String listener, List<Cidr> own, List<Cidr> routes) {

    public Allowlist {
        own = List.copyOf(own);
        routes = List.copyOf(routes);
    }

    public boolean allows(InetAddress address) {
        for (Cidr c : own) {
            if (c.contains(address)) {
                return true;
            }
        }
        for (Cidr c : routes) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
