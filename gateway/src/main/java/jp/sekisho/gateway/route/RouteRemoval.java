package jp.sekisho.gateway.route;

import java.time.Clock;
import java.util.Optional;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.relay.RelayDiff;
import jp.sekisho.gateway.relay.RelayRoute;

/**
 * The operator's use case: delete one route (batch or relay) with a reason. The deletion is audited
 * (ROUTE_CHANGED, action delete, with the route's last spec) before the row is marked deleted and
 * every node is notified, so the route's CIDRs leave the listeners' allowlists at once everywhere.
 * The row stays, sealed over the deletion (history); its id is not reused.
 */
public final class RouteRemoval {

    /** The result: the route deleted, or a refusal with its reason code. */
    public sealed interface Result {
        record Deleted(String id, String kind, RouteDeletion deletion) implements Result {}

        record Refused(String reason, String message) implements Result {}
    }

    private final RouteRepository repo;
    private final PolicyWatcher watcher;
    private final AuditLog audit;
    private final Clock clock;

    public RouteRemoval(RouteRepository repo, PolicyWatcher watcher, AuditLog audit, Clock clock) {
        this.repo = repo;
        this.watcher = watcher;
        this.audit = audit;
        this.clock = clock;
    }

    /** Why a deletion reason is not acceptable, or empty: required, one paragraph, no controls. */
    public static Optional<String> reasonProblem(String reason) {
        if (reason == null || reason.isBlank()) {
            return Optional.of(
                    "削除理由が必要です / reason is required (why the route is removed: a ticket, a council " + "decision)");
        }
        return Fields.problem("reason", reason, RouteDeletion.MAX_REASON);
    }

    public Result delete(String id, String reason, Caller caller) {
        Optional<String> badId = Ids.ROUTE.problem(id);
        if (badId.isPresent()) {
            return refuse(caller, null, "ID_INVALID", badId.get());
        }
        Optional<String> badReason = reasonProblem(reason);
        if (badReason.isPresent()) {
            return refuse(caller, id, "FIELD_INVALID", badReason.get());
        }
        PolicySnapshot policy = watcher.reload(); // judge against what is stored now
        Route route = policy.routes().get(id);
        RelayRoute relay = policy.relays().get(id);
        if (route == null && relay == null) {
            RouteDeletion earlier = repo.deleted().get(id);
            return refuse(
                    caller,
                    id,
                    "ROUTE_UNKNOWN",
                    earlier == null
                            ? "経路 " + id + " はありません / no route " + id
                            : "経路 " + id + " は削除済みです / route " + id + " was already deleted at " + earlier.atTokyo()
                                    + " by " + earlier.by());
        }
        RouteDeletion deletion =
                new RouteDeletion(clock.instant(), caller.principal().subject(), reason);
        audited(route, relay, deletion, caller, "delete");
        try {
            repo.delete(id, deletion);
        } catch (RouteRepository.NotDeletable e) {
            // another node deleted it between our reload and our lock: the refusal says so
            return refuse(caller, id, "ROUTE_UNKNOWN", e.getMessage());
        }
        watcher.reload();
        return new Result.Deleted(id, relay != null ? "relay" : "batch", deletion);
    }

    /**
     * Records ROUTE_CHANGED for a deletion, waiting for the audit store ({@code commit}): a route is
     * removed only once its removal is on record. {@code action}: delete, or prune (apply --prune).
     */
    void audited(Route route, RelayRoute relay, RouteDeletion d, Caller caller, String action) {
        String id = route != null ? route.id() : relay.id();
        Detail detail = new Detail().put("action", action);
        if (relay != null) {
            detail.put("kind", "relay");
        }
        detail.put("by", d.by())
                .put("change", "- " + id + " deleted")
                .put("reason", d.reason())
                .put("before", route != null ? RouteService.summary(route) : RelayDiff.summary(relay))
                .put("after", null);
        audit.commit(caller.stamp(AuditEvent.of(EventType.ROUTE_CHANGED, Outcome.ALLOW))
                .routeId(id)
                .approvalRef(route != null ? route.approvalRef() : relay.approvalRef())
                .detailJson(detail.toString())
                .build());
    }

    private Result refuse(Caller caller, String id, String reason, String message) {
        audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY))
                .reason(reason)
                .routeId(id)
                .detailJson(new Detail()
                        .put("action", "routes delete")
                        .put("message", message)
                        .toString())
                .build());
        return new Result.Refused(reason, message);
    }
}
