package jp.sekisho.gateway.route;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
import jp.sekisho.gateway.relay.RelayDiff;
import jp.sekisho.gateway.relay.RelayRoute;
import jp.sekisho.gateway.relay.RelayRules;
import jp.sekisho.gateway.relay.TerminalMode;

/**
 * The operator's use case: apply a routes file. Validates everything first ({@link RouteRules} and
 * {@link RelayRules}, approval known, a batch route on a transfer listener, a relay route alone on a relay
 * listener, every CIDR parses), then records ROUTE_CHANGED for each added or changed route of either
 * kind before storing the whole file in one transaction. Applying the same file
 * twice changes nothing and records nothing. Stored routes the file leaves out are kept and named
 * ({@code absent}); with {@code prune} they are deleted in the same transaction ({@link RouteRemoval}).
 */
public final class RouteService {

    /** The result: the diff (applied or, on a dry run, to be applied), or a refusal. */
    public sealed interface Applied {
        /**
         * @param absent stored live routes (either kind) the file leaves out, by id
         * @param pruned whether {@code absent} are (or, on a dry run, would be) deleted
         */
        record Done(RouteDiff diff, RelayDiff relayDiff, boolean dryRun, List<String> absent, boolean pruned)
                implements Applied {
            public Done {
                absent = List.copyOf(absent);
            }

            public boolean changesAnything() {
                return diff.changesAnything() || relayDiff.changesAnything() || (pruned && !absent.isEmpty());
            }
        }

        record Refused(String reason, String message) implements Applied {}
    }

    private final RouteRepository repo;
    private final PolicyWatcher watcher;
    private final AuditLog audit;
    private final Set<String> transferListeners;
    private final Map<String, Boolean> relayListeners;
    private final Predicate<String> validCidr;
    private final Clock clock;
    private final RouteRemoval removal;

    /**
     * @param transferListeners names of the listeners batch routes may be bound to (all but admin and relay ones)
     * @param relayListeners    the {@code kind: relay} listeners, name to whether it is marked closed-network
     * @param validCidr         the edge's CIDR syntax check
     */
    public RouteService(
            RouteRepository repo,
            PolicyWatcher watcher,
            AuditLog audit,
            Set<String> transferListeners,
            Map<String, Boolean> relayListeners,
            Predicate<String> validCidr,
            Clock clock) {
        this.repo = repo;
        this.watcher = watcher;
        this.audit = audit;
        this.transferListeners = new java.util.LinkedHashSet<>(transferListeners);
        this.relayListeners = new java.util.LinkedHashMap<>(relayListeners);
        this.validCidr = validCidr;
        this.clock = clock;
        this.removal = new RouteRemoval(repo, watcher, audit, clock);
    }

    /** {@code routes delete ID --reason TEXT}: see {@link RouteRemoval}. */
    public RouteRemoval.Result delete(String id, String reason, Caller caller) {
        return removal.delete(id, reason, caller);
    }

    public Map<String, Route> all() {
        return watcher.current().routes();
    }

    public Map<String, RelayRoute> relays() {
        return watcher.current().relays();
    }

    /** A file of batch routes only. */
    public Applied apply(List<Route> routes, Caller caller, boolean dryRun) {
        return apply(new RouteSet(routes, List.of()), caller, dryRun);
    }

    /** Applies both kinds of a routes file, keeping the stored routes it leaves out. */
    public Applied apply(RouteSet file, Caller caller, boolean dryRun) {
        return apply(file, caller, dryRun, false);
    }

    /**
     * Applies both kinds of a routes file, in one transaction, or refuses all of it; with {@code prune}
     * the stored routes the file leaves out are deleted in that transaction.
     */
    public Applied apply(RouteSet file, Caller caller, boolean dryRun, boolean prune) {
        List<Route> routes = file.routes();
        List<RelayRoute> relays = file.relays();
        PolicySnapshot policy = watcher.reload(); // judge against what is stored now, not a second-old snapshot
        List<String> problems = new ArrayList<>();
        String reason = null;
        Set<String> ids = new HashSet<>();
        for (String id : java.util.stream.Stream.concat(
                        routes.stream().map(Route::id), relays.stream().map(RelayRoute::id))
                .toList()) {
            if (!ids.add(id)) {
                problems.add("route " + id + ": the id appears twice (batch and relay routes share one id space)");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            }
        }
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
            if (policy.relays().containsKey(r.id())) {
                problems.add(
                        "route " + r.id() + ": a relay route already has this id (ids are unique across both kinds)");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            }
            if (relayListeners.containsKey(r.listener())) {
                problems.add("route " + r.id() + ": listener '" + r.listener() + "' is a relay listener (kind: relay); "
                        + "a batch route needs a transfer listener (known: " + String.join(", ", transferListeners)
                        + ")");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            } else if (!transferListeners.contains(r.listener())) {
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
        reason = relayProblems(relays, policy, problems, reason);
        Map<String, RouteDeletion> deleted = repo.deleted();
        for (String id : ids) {
            RouteDeletion d = deleted.get(id);
            if (d != null) {
                problems.add("経路 " + id + " は " + d.atTokyo() + " に削除済みで、同じ識別子は再利用できません / route "
                        + id + ": was deleted at " + d.atTokyo() + " by " + d.by()
                        + "; a deleted route's id is not reused (its history stays with it): choose a new id");
                reason = reason == null ? "INVALID_ROUTE" : reason;
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
        RelayDiff relayDiff = RelayDiff.between(policy.relays(), relays);
        List<String> absent = java.util.stream.Stream.concat(
                        policy.routes().keySet().stream(), policy.relays().keySet().stream())
                .filter(id -> !ids.contains(id))
                .sorted()
                .toList();
        Applied.Done done = new Applied.Done(diff, relayDiff, dryRun, absent, prune);
        if (dryRun || !done.changesAnything()) {
            return done;
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
        for (RelayDiff.Change c : relayDiff.changes()) {
            if (c.kind() == RouteDiff.Kind.UNCHANGED) {
                continue;
            }
            RelayRoute before = policy.relays().get(c.relay().id());
            audit.commit(caller.stamp(AuditEvent.of(EventType.ROUTE_CHANGED, Outcome.ALLOW))
                    .routeId(c.relay().id())
                    .approvalRef(c.relay().approvalRef())
                    .detailJson(new Detail()
                            .put("action", c.kind() == RouteDiff.Kind.ADDED ? "add" : "change")
                            .put("kind", "relay")
                            .put("by", caller.principal().subject())
                            .put("change", c.line())
                            .put("before", before == null ? null : RelayDiff.summary(before))
                            .put("after", RelayDiff.summary(c.relay()))
                            .toString())
                    .build());
        }
        Map<String, RouteDeletion> pruned = new java.util.LinkedHashMap<>();
        if (prune) {
            for (String id : absent) {
                RouteDeletion d = new RouteDeletion(
                        clock.instant(), caller.principal().subject(), "routes apply --prune: not in the routes file");
                removal.audited(policy.routes().get(id), policy.relays().get(id), d, caller, "prune");
                pruned.put(id, d);
            }
        }
        repo.upsertAll(routes, relays, pruned, clock.instant());
        watcher.reload();
        return done;
    }

    /**
     * The relay routes' problems, added to {@code problems}; returns the first reason. A relay route
     * needs a valid shape ({@link RelayRules}), a known approval, a {@code kind: relay} listener that
     * carries no other relay route, and terminal-mode http only on a closed-network listener.
     */
    private String relayProblems(List<RelayRoute> relays, PolicySnapshot policy, List<String> problems, String reason) {
        Map<String, String> onListener = new HashMap<>(); // listener -> relay id, stored ones then this file's
        policy.relays().values().forEach(r -> onListener.put(r.listener(), r.id()));
        Set<String> moving = new HashSet<>();
        relays.forEach(r -> moving.add(r.id()));
        onListener.values().removeIf(moving::contains); // this file's version of a stored relay replaces it
        for (RelayRoute r : relays) {
            List<String> invalid = RelayRules.problems(r);
            if (!invalid.isEmpty()) {
                problems.addAll(invalid);
                reason = reason == null ? "INVALID_ROUTE" : reason;
                continue;
            }
            String at = "relay route " + r.id() + ": ";
            if (policy.routes().containsKey(r.id())) {
                problems.add(at + "a batch route already has this id (ids are unique across both kinds)");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            }
            if (!policy.approvals().containsKey(r.approvalRef())) {
                problems.add(at + "approval " + r.approvalRef() + " is unknown (record the consultation first)");
                reason = reason == null ? "APPROVAL_UNKNOWN" : reason;
            }
            Boolean closedNetwork = relayListeners.get(r.listener());
            if (closedNetwork == null) {
                boolean api = transferListeners.contains(r.listener());
                problems.add(at + "listener '" + r.listener() + "' is "
                        + (api ? "a listener of the Sekisho API, not" : "not a listener of this gateway, nor")
                        + " a relay listener (kind: relay in gateway.yml; known: "
                        + String.join(", ", relayListeners.keySet()) + ")");
                reason = reason == null ? (api ? "INVALID_ROUTE" : "UNKNOWN_LISTENER") : reason;
                continue;
            }
            String other = onListener.putIfAbsent(r.listener(), r.id());
            if (other != null && !other.equals(r.id())) {
                problems.add(at + "listener '" + r.listener() + "' already carries relay route " + other
                        + " (a relay listener carries one relay route)");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            }
            if (r.mode() == TerminalMode.HTTP && !closedNetwork) {
                problems.add(at + "terminal-mode http only on a listener marked closed-network: true in gateway.yml ('"
                        + r.listener() + "' is not); use tls");
                reason = reason == null ? "INVALID_ROUTE" : reason;
            }
        }
        return reason;
    }

    /** Many routes may each have problems: the answer and the audit event (bounded) take the first 2,000 characters. */
    private static String clip(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
    }

    static String summary(Route r) {
        return "listener=" + r.listener() + " approval=" + r.approvalRef() + " senders="
                + r.senders().stream().map(p -> p.label() + p.allow()).toList() + " receivers="
                + r.receivers().stream().map(p -> p.label() + p.allow()).toList() + " recipients="
                + r.recipientCertificates().size()
                + " max-payload=" + r.maxPayloadBytes() + " retention=" + r.retention() + " allow-cbc=" + r.allowCbc()
                + " compression=" + r.compression();
    }
}
