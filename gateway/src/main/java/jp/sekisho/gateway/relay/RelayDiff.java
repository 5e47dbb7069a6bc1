package jp.sekisho.gateway.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import jp.sekisho.gateway.route.RouteDiff;

/** What applying a routes file changes in its relay routes, field by field, as {@link RouteDiff} does for batch routes. */
public record RelayDiff(List<Change> changes) {

    /** One relay route's change; {@code fields} names what differs for CHANGED. */
    public record Change(RouteDiff.Kind kind, RelayRoute relay, List<String> fields) {
        public String line() {
            return switch (kind) {
                case ADDED ->
                    "+ " + relay.id() + " (relay, listener " + relay.listener() + ", approval " + relay.approvalRef()
                            + ", upstream " + relay.upstream().url() + ")";
                case CHANGED -> "~ " + relay.id() + ": " + String.join(", ", fields);
                case UNCHANGED -> "= " + relay.id() + " unchanged";
            };
        }
    }

    public static RelayDiff between(Map<String, RelayRoute> existing, List<RelayRoute> wanted) {
        List<Change> changes = new ArrayList<>();
        for (RelayRoute r : wanted) {
            RelayRoute old = existing.get(r.id());
            if (old == null) {
                changes.add(new Change(RouteDiff.Kind.ADDED, r, List.of()));
                continue;
            }
            List<String> f = new ArrayList<>();
            diff(f, "listener", old.listener(), r.listener());
            diff(f, "approval", old.approvalRef(), r.approvalRef());
            diff(f, "terminal-mode", old.mode().yaml(), r.mode().yaml());
            diff(f, "terminals", labels(old), labels(r));
            diff(f, "upstream.url", old.upstream().url(), r.upstream().url());
            if (!Objects.equals(old.upstream().caPem(), r.upstream().caPem())) {
                f.add("upstream.ca changed");
            }
            diff(f, "upstream.host", old.upstream().host(), r.upstream().host());
            diff(
                    f,
                    "upstream.closed-network",
                    old.upstream().closedNetwork(),
                    r.upstream().closedNetwork());
            RelayLimits a = old.limits();
            RelayLimits b = r.limits();
            diff(f, "methods", new TreeSet<>(a.methods()), new TreeSet<>(b.methods()));
            diff(f, "paths", a.pathPrefixes(), b.pathPrefixes());
            diff(f, "max-body", a.maxBodyBytes(), b.maxBodyBytes());
            diff(f, "rate", a.requestsPerSecond(), b.requestsPerSecond());
            diff(f, "hours", hours(a.hours()), hours(b.hours()));
            diff(f, "websocket", a.websocket(), b.websocket());
            changes.add(new Change(f.isEmpty() ? RouteDiff.Kind.UNCHANGED : RouteDiff.Kind.CHANGED, r, f));
        }
        return new RelayDiff(changes);
    }

    public boolean changesAnything() {
        return changes.stream().anyMatch(c -> c.kind() != RouteDiff.Kind.UNCHANGED);
    }

    /** The one-line summary an audit event's before/after holds. */
    public static String summary(RelayRoute r) {
        RelayLimits l = r.limits();
        return "listener=" + r.listener() + " approval=" + r.approvalRef() + " terminal-mode="
                + r.mode().yaml()
                + " terminals=" + labels(r) + " upstream=" + r.upstream().url()
                + (r.upstream().host() == null ? "" : " host=" + r.upstream().host())
                + " closed-network=" + r.upstream().closedNetwork()
                + " ca=" + (r.upstream().caPem() == null ? "none" : "pinned")
                + " methods=" + new TreeSet<>(l.methods()) + " paths=" + l.pathPrefixes() + " max-body="
                + l.maxBodyBytes() + " rate=" + l.requestsPerSecond() + " hours=" + hours(l.hours()) + " websocket="
                + l.websocket();
    }

    private static List<String> labels(RelayRoute r) {
        return r.terminals().stream()
                .map(t -> (t.namesCertificate() ? t.label() : "") + t.allow())
                .toList();
    }

    private static String hours(OpeningHours h) {
        return h == null
                ? "always"
                : String.join(",", RelaySpec.days(h.days())) + " " + h.from().format(RelaySpec.HH_MM) + "-"
                        + h.to().format(RelaySpec.HH_MM);
    }

    private static void diff(List<String> fields, String name, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            fields.add(name + " " + before + " -> " + after);
        }
    }
}
