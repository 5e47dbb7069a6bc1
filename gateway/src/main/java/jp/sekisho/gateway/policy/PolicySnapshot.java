package jp.sekisho.gateway.policy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteState;

/**
 * Approvals and routes as one node last loaded them. Requests are judged against a snapshot, so a
 * check never mixes two versions of the policy; a newer snapshot replaces it within a second of a
 * change on any node.
 *
 * @param tamperedApprovals approvals whose row failed its seal check, ref to what failed
 * @param tamperedRoutes    routes whose row failed its seal check, id to what failed
 * @param relays            relay routes by id (a tampered one is in {@code tamperedRoutes} under its id)
 */
public record PolicySnapshot(
        Map<String, Approval> approvals,
        Map<String, Route> routes,
        Map<String, RelayRoute> relays,
        Map<String, String> tamperedApprovals,
        Map<String, String> tamperedRoutes,
        Instant loadedAt) {

    public static final PolicySnapshot EMPTY = new PolicySnapshot(Map.of(), Map.of(), Instant.EPOCH);

    public PolicySnapshot {
        approvals = Map.copyOf(approvals);
        routes = Map.copyOf(routes);
        relays = Map.copyOf(relays);
        tamperedApprovals = Map.copyOf(tamperedApprovals);
        tamperedRoutes = Map.copyOf(tamperedRoutes);
    }

    /** A snapshot in which every row passed its seal check. */
    public PolicySnapshot(Map<String, Approval> approvals, Map<String, Route> routes, Instant loadedAt) {
        this(approvals, routes, Map.of(), Map.of(), Map.of(), loadedAt);
    }

    /** The relay route on {@code listener}, if one is bound to it (a relay listener carries one route). */
    public Optional<RelayRoute> relayOn(String listener) {
        return relays.values().stream()
                .filter(r -> r.listener().equals(listener))
                .findFirst();
    }

    /** APPROVAL_TAMPERED when the relay's row or its approval's failed the seal check: fail closed. */
    public RouteState stateOf(RelayRoute r, Instant now) {
        if (tamperedRoutes.containsKey(r.id()) || tamperedApprovals.containsKey(r.approvalRef())) {
            return RouteState.APPROVAL_TAMPERED;
        }
        return RouteState.of(approvals.get(r.approvalRef()), now);
    }

    /** What failed for the route's own row or its approval's; null when both are intact. */
    public String tamper(Route r) {
        String own = tamperedRoutes.get(r.id());
        if (own != null) {
            return "route " + r.id() + ": " + own;
        }
        String a = tamperedApprovals.get(r.approvalRef());
        return a == null ? null : "approval " + r.approvalRef() + ": " + a;
    }

    public Optional<Route> route(String id) {
        return Optional.ofNullable(routes.get(id));
    }

    /** APPROVAL_TAMPERED when the route's row or its approval's failed the seal check: fail closed. */
    public RouteState stateOf(Route r, Instant now) {
        if (tamper(r) != null) {
            return RouteState.APPROVAL_TAMPERED;
        }
        return RouteState.of(approvals.get(r.approvalRef()), now);
    }
}
