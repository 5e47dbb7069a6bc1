package jp.sekisho.gateway.policy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteState;

/**
 * Approvals and routes as one node last loaded them. Requests are judged against a snapshot, so a
 * check never mixes two versions of the policy; a newer snapshot replaces it within a second of a
 * change on any node.
 */
public record PolicySnapshot(Map<String, Approval> approvals, Map<String, Route> routes, Instant loadedAt) {

    public static final PolicySnapshot EMPTY = new PolicySnapshot(Map.of(), Map.of(), Instant.EPOCH);

    public PolicySnapshot {
        approvals = Map.copyOf(approvals);
        routes = Map.copyOf(routes);
    }

    public Optional<Route> route(String id) {
        return Optional.ofNullable(routes.get(id));
    }

    public RouteState stateOf(Route r, Instant now) {
        return RouteState.of(approvals.get(r.approvalRef()), now);
    }
}
