package jp.sekisho.gateway.route;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.function.BiPredicate;

import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAccess.Denied;

/**
 * The request-level checks of a route, in the order the product promises: the route exists on this
 * listener; the certificate's principal is a sender (or receiver) of it; the peer address is inside
 * that party's CIDRs; the approval is in force now. Pure: judged against one policy snapshot.
 */
public final class RouteGuard {

    /** Which side of the route the request acts for. */
    public enum Side { SENDER, RECEIVER }

    private final BiPredicate<String, InetAddress> cidrContains;

    /** @param cidrContains tells whether a CIDR (text) contains an address; the edge's parser decides syntax */
    public RouteGuard(BiPredicate<String, InetAddress> cidrContains) {
        this.cidrContains = cidrContains;
    }

    public RouteAccess check(PolicySnapshot policy, String routeId, String listener, Side side, String subject,
                             String sha256, InetAddress source, Instant now) {
        Route route = policy.routes().get(routeId);
        if (route == null) {
            return new Denied("ROUTE_UNKNOWN", "no route '" + routeId + "'", null);
        }
        if (!route.listener().equals(listener)) {
            // Same answer as an unknown route: a route on another listener does not exist here.
            return new Denied("ROUTE_NOT_ON_LISTENER", "no route '" + routeId + "' on listener " + listener, route);
        }
        List<Party> parties = side == Side.SENDER ? route.senders() : route.receivers();
        Party party = parties.stream().filter(p -> p.matches(subject, sha256)).findFirst().orElse(null);
        if (party == null) {
            return new Denied(side == Side.SENDER ? "NOT_A_SENDER" : "NOT_A_RECEIVER",
                    subject + " is not a " + side.name().toLowerCase() + " of route " + routeId, route);
        }
        if (party.allow().stream().noneMatch(c -> cidrContains.test(c, source))) {
            return new Denied("SOURCE_NOT_ALLOWED", source.getHostAddress() + " is not an allowed address of "
                    + party.label() + " on route " + routeId, route);
        }
        RouteState state = policy.stateOf(route, now);
        if (state != RouteState.ACTIVE) {
            return new Denied(state.name(), "route " + routeId + " is not active: approval " + route.approvalRef()
                    + " " + describe(state), route);
        }
        return new Admitted(route, policy.approvals().get(route.approvalRef()));
    }

    private static String describe(RouteState s) {
        return switch (s) {
            case APPROVAL_PENDING -> "awaits the council's decision";
            case APPROVAL_SUSPENDED -> "is suspended";
            case APPROVAL_REVOKED -> "is revoked";
            case APPROVAL_REJECTED -> "was rejected";
            case APPROVAL_EXPIRED -> "has expired";
            case APPROVAL_NOT_YET_VALID -> "is not yet valid";
            case APPROVAL_UNKNOWN -> "is unknown";
            case ACTIVE -> "is in force";
        };
    }
}
