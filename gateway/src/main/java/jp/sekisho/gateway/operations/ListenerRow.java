package jp.sekisho.gateway.operations;

import java.util.List;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.edge.Allowlist;
import jp.sekisho.gateway.edge.Cidr;

/**
 * One listener: where it is bound, whether it is the admin one, and which peers may connect now
 * (its own CIDRs from the configuration, plus those the routes bound to it bring).
 */
public record ListenerRow(
        String name,
        String bind,
        int port,
        boolean admin,
        List<String> ownCidrs,
        List<String> routeCidrs,
        List<String> proxyTrusted) {

    public static ListenerRow of(GatewayConfig.Listener l, int port, Allowlist live) {
        return new ListenerRow(
                l.name(), l.bind(), port, l.admin(), text(live.own()), text(live.routes()), text(l.proxyTrusted()));
    }

    private static List<String> text(List<Cidr> cidrs) {
        return cidrs.stream().map(Cidr::toString).distinct().toList();
    }
}
