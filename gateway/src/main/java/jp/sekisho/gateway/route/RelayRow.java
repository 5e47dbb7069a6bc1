package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import java.util.List;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.relay.RelayLimits;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelaySpec;

/** One line of the relay routes list: the route, its live state and its approval (null when unknown). */
public record RelayRow(
        RelayRoute relay, RouteStatus status, @Nullable Approval approval) {

    /** Each terminal as the page shows it: its certificate (mTLS) and addresses. */
    public List<String> terminals() {
        return relay.terminals().stream()
                .map(t -> (t.namesCertificate() ? t.label() + " " : "") + String.join(", ", t.allow()))
                .toList();
    }

    /** Methods, paths, largest body, rate, hours and WebSocket, in one short line (values, not words). */
    public String limits() {
        RelayLimits l = relay.limits();
        return String.join(" ", l.methods().stream().sorted().toList()) + " · " + String.join(" ", l.pathPrefixes())
                + " · ≤ " + Sizes.human(l.maxBodyBytes())
                + (l.requestsPerSecond() > 0 ? " · " + l.requestsPerSecond() + "/s" : "")
                + (l.hours() == null
                        ? ""
                        : " · " + String.join(",", RelaySpec.days(l.hours().days())) + " "
                                + l.hours().from().format(RelaySpec.HH_MM) + "–"
                                + l.hours().to().format(RelaySpec.HH_MM))
                + (l.websocket() ? " · WebSocket" : "");
    }
}
