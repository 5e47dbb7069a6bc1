package jp.sekisho.gateway.relay;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.Cidr;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.RouteState;

/**
 * Judges one relay request against one policy snapshot, in the order of checks of a transfer
 * (docs/architecture.md): the relay route on this listener, the terminal's address, its certificate
 * (mtls), the approval in force now, then the route's limits, and last whether the audit log can
 * take the request's event. Pure and quick: it runs on the event loop.
 */
public final class RelayAdmission {

    private final BooleanSupplier auditAvailable;
    private final TerminalRates rates = new TerminalRates();

    /** @param auditAvailable false while the audit store cannot take events: every request is refused */
    public RelayAdmission(BooleanSupplier auditAvailable) {
        this.auditAvailable = auditAvailable;
    }

    public RelayDecision decide(PolicySnapshot policy, RelayAsk ask) {
        Optional<RelayRoute> on = policy.relayOn(ask.listener());
        if (on.isEmpty()) {
            return new RelayDecision.Refuse(
                    Reason.RELAY_NO_ROUTE, "no relay route is bound to listener " + ask.listener(), null);
        }
        RelayRoute route = on.get();
        RelayRoute.Terminal terminal = terminalAt(route, ask);
        if (terminal == null) {
            return refuse(route, Reason.SOURCE_NOT_ALLOWED, "the address is in none of the route's terminals' CIDRs");
        }
        if (route.mode() == TerminalMode.MTLS) {
            if (ask.principal() == null) {
                return refuse(route, Reason.NOT_A_TERMINAL, "no verified client certificate");
            }
            boolean named = route.terminals().stream()
                    .anyMatch(t -> t.namesCertificate()
                            && inCidrs(t, ask)
                            && t.matches(
                                    ask.principal().subject(), ask.principal().sha256()));
            if (!named) {
                return refuse(route, Reason.NOT_A_TERMINAL, "the certificate names none of the route's terminals");
            }
        }
        RouteState state = policy.stateOf(route, ask.now());
        if (state != RouteState.ACTIVE) {
            return refuse(
                    route,
                    Reason.valueOf(state.name()),
                    "relay route " + route.id() + " is not active: approval " + route.approvalRef() + " "
                            + state.name());
        }
        RelayLimits limits = route.limits();
        if (!limits.allowsMethod(ask.method())) {
            return refuse(route, Reason.METHOD_NOT_ON_ROUTE, "method " + ask.method() + " is not on the route");
        }
        // the prefixes judge the path as the upstream will read it; one two servers could read differently is refused
        RelayPath.Judged judged = RelayPath.judge(ask.path());
        if (judged instanceof RelayPath.Judged.Invalid bad) {
            return refuse(route, Reason.PATH_INVALID, bad.message());
        }
        String decoded = ((RelayPath.Judged.Ok) judged).decoded();
        if (!limits.allowsPath(decoded)) {
            return refuse(route, Reason.PATH_NOT_ON_ROUTE, "the path is under none of the route's prefixes");
        }
        if (ask.contentLength() > limits.maxBodyBytes()) {
            return refuse(
                    route,
                    Reason.REQUEST_BODY_TOO_LARGE,
                    "Content-Length " + ask.contentLength() + " exceeds max-body " + limits.maxBodyBytes());
        }
        if (ask.websocket() && !limits.websocket()) {
            return refuse(route, Reason.WEBSOCKET_NOT_ALLOWED, "the route does not relay WebSocket upgrades");
        }
        if (limits.hours() != null && !limits.hours().isOpen(ask.now())) {
            return refuse(route, Reason.OUTSIDE_OPENING_HOURS, "outside the route's opening hours (Asia/Tokyo)");
        }
        if (!rates.tryAcquire(route, ask.client())) {
            return refuse(route, Reason.TERMINAL_RATE_LIMITED, "over " + limits.requestsPerSecond() + " requests/s");
        }
        if (!auditAvailable.getAsBoolean()) {
            return refuse(route, Reason.AUDIT_UNAVAILABLE, "the audit log cannot record this request now");
        }
        return new RelayDecision.Forward(route);
    }

    /** The first terminal group whose CIDRs hold the address, or null. */
    private static RelayRoute.Terminal terminalAt(RelayRoute route, RelayAsk ask) {
        for (RelayRoute.Terminal t : route.terminals()) {
            if (inCidrs(t, ask)) {
                return t;
            }
        }
        return null;
    }

    private static boolean inCidrs(RelayRoute.Terminal t, RelayAsk ask) {
        for (String c : t.allow()) {
            try {
                if (Cidr.parse(c).contains(ask.client())) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                // a CIDR the routes layer should have refused: it admits no one
            }
        }
        return false;
    }

    private static RelayDecision.Refuse refuse(RelayRoute route, Reason reason, String message) {
        return new RelayDecision.Refuse(reason, message, route);
    }
}
