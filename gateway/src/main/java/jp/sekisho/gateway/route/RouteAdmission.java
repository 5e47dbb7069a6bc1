package jp.sekisho.gateway.route;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAccess.Denied;

/**
 * Judges a request on a route against the current policy snapshot and records the decision:
 * REQUEST_DENIED with the reason, or REQUEST_ALLOWED. Every route-level endpoint (terms, uploads,
 * downloads) goes through here, so the order of checks is the same everywhere.
 */
public final class RouteAdmission {

    private final PolicyWatcher watcher;
    private final RouteGuard guard;
    private final AuditLog audit;
    private final Clock clock;

    public RouteAdmission(PolicyWatcher watcher, RouteGuard guard, AuditLog audit, Clock clock) {
        this.watcher = watcher;
        this.guard = guard;
        this.audit = audit;
        this.clock = clock;
    }

    public RouteAccess admit(Caller caller, String routeId, String listener, RouteGuard.Side side, String action) {
        InetAddress source;
        try {
            source = InetAddress.getByName(caller.sourceIp()); // a literal: no DNS lookup
        } catch (UnknownHostException | RuntimeException e) {
            source = null;
        }
        RouteAccess access = source == null
                ? new Denied("SOURCE_NOT_ALLOWED", "unknown source address", null)
                : guard.check(watcher.current(), routeId, listener, side, caller.principal().subject(),
                        caller.principal().sha256(), source, clock.instant());
        if (access instanceof Denied d) {
            audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)).reason(d.reason())
                    .routeId(routeId).approvalRef(d.route() == null ? null : d.route().approvalRef())
                    .detailJson(new Detail().put("action", action).put("side", side).put("message", d.message()).toString())
                    .build());
        } else {
            Admitted a = (Admitted) access;
            audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)).routeId(routeId)
                    .approvalRef(a.approval().ref())
                    .detailJson(new Detail().put("action", action).put("side", side).toString()).build());
        }
        return access;
    }
}
