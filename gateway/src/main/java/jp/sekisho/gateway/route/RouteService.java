package jp.sekisho.gateway.route;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.policy.PolicySnapshot;
import jp.sekisho.gateway.policy.PolicyWatcher;

/**
 * The operator's use case: apply a routes file. Validates everything first ({@link RouteRules}, approval known,
 * listener known and not the admin one, every CIDR parses), then records ROUTE_CHANGED for each
 * added or changed route before storing the whole file in one transaction. Applying the same file
 * twice changes nothing and records nothing.
 */
public final class RouteService {

    /** The result: the diff (applied or, on a dry run, to be applied), or a refusal. */
    public sealed interface Applied {
        record Done(RouteDiff diff, boolean dryRun) implements Applied {}

        record Refused(String reason, String message) implements Applied {}
    }

    private final RouteRepository repo;
    private final PolicyWatcher watcher;
    private final AuditLog audit;
    private final Set<String> transferListeners;
    private final Predicate<String> validCidr;
    private final Clock clock;

    /**
     * @param transferListeners names of the listeners routes may be bound to (all but admin ones)
     * @param validCidr         the edge's CIDR syntax check
     */
    public RouteService(
            RouteRepository repo,
            PolicyWatcher watcher,
            AuditLog audit,
            Set<String> transferListeners,
            Predicate<String> validCidr,
            Clock clock) {
        this.repo = repo;
        this.watcher = watcher;
        this.audit = audit;
        this.transferListeners = Set.copyOf(transferListeners);
        this.validCidr = validCidr;
        this.clock = clock;
    }

    public Map<String, Route> all() {
        return watcher.current().routes();
    }

    public Applied apply(List<Route> routes, Caller caller, boolean dryRun) {
        PolicySnapshot policy = watcher.reload(); // judge against what is stored now, not a second-old snapshot
        List<String> problems = new ArrayList<>();
        String reason = null;
        for (Route r : routes) {
            List<String> invalid = RouteRules.problems(r);
            if (!invalid.isEmpty()) {
                problems.addAll(invalid);
                reason = reason == null ? "INVALID_ROUTE" : reason;
                continue; // the rest would judge fields already known to be wrong
            }
            if (!policy.approvals().containsKey(r.approvalRef())) {
                problems.add("route " + r.id() + ": approval " + r.approvalRef()
                        + " is unknown (record the consultation first)");
                reason = reason == null ? "APPROVAL_UNKNOWN" : reason;
            }
            if (!transferListeners.contains(r.listener())) {
                problems.add("route " + r.id() + ": listener '" + r.listener() + "' is not a transfer listener of this "
                        + "gateway (known: " + String.join(", ", transferListeners) + ")");
                reason = reason == null ? "UNKNOWN_LISTENER" : reason;
            }
            for (String cidr : r.allCidrs()) {
                if (!validCidr.test(cidr)) {
                    problems.add("route " + r.id() + ": '" + cidr + "' is not a CIDR");
                    reason = reason == null ? "INVALID_CIDR" : reason;
                }
            }
        }
        if (!problems.isEmpty()) {
            audit.record(caller.stamp(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY))
                    .reason(reason)
                    .detailJson(new Detail()
                            .put("action", "routes apply")
                            .put("message", clip(String.join("; ", problems)))
                            .toString())
                    .build());
            return new Applied.Refused(reason, clip(String.join("; ", problems)));
        }
        RouteDiff diff = RouteDiff.between(policy.routes(), routes);
        if (dryRun || !diff.changesAnything()) {
            return new Applied.Done(diff, dryRun);
        }
        for (RouteDiff.Change c : diff.changes()) {
            if (c.kind() == RouteDiff.Kind.UNCHANGED) {
                continue;
            }
            Route before = policy.routes().get(c.route().id());
            audit.commit(caller.stamp(AuditEvent.of(EventType.ROUTE_CHANGED, Outcome.ALLOW))
                    .routeId(c.route().id())
                    .approvalRef(c.route().approvalRef())
                    .detailJson(new Detail()
                            .put("action", c.kind() == RouteDiff.Kind.ADDED ? "add" : "change")
                            .put("by", caller.principal().subject())
                            .put("change", c.line())
                            .put("before", before == null ? null : summary(before))
                            .put("after", summary(c.route()))
                            .toString())
                    .build());
        }
        repo.upsertAll(routes, clock.instant());
        watcher.reload();
        return new Applied.Done(diff, false);
    }

    /** Many routes may each have problems: the answer and the audit event (bounded) take the first 2,000 characters. */
    private static String clip(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
    }

    private static String summary(Route r) {
        return "listener=" + r.listener() + " approval=" + r.approvalRef() + " senders="
                + r.senders().stream().map(p -> p.label() + p.allow()).toList() + " receivers="
                + r.receivers().stream().map(p -> p.label() + p.allow()).toList() + " recipients="
                + r.recipientCertificates().size()
                + " max-payload=" + r.maxPayloadBytes() + " retention=" + r.retention() + " allow-cbc=" + r.allowCbc();
    }
}
