package jp.sekisho.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What applying a routes file changes, route by route and field by field; shown before applying. */
public record RouteDiff(List<Change> changes) {

    public enum Kind {
        ADDED,
        CHANGED,
        UNCHANGED
    }

    /** One route's change; {@code fields} names what differs for CHANGED. */
    public record Change(Kind kind, Route route, List<String> fields) {
        public String line() {
            return switch (kind) {
                case ADDED ->
                    "+ " + route.id() + " (listener " + route.listener() + ", approval " + route.approvalRef() + ")";
                case CHANGED -> "~ " + route.id() + ": " + String.join(", ", fields);
                case UNCHANGED -> "= " + route.id() + " unchanged";
            };
        }
    }

    public static RouteDiff between(Map<String, Route> existing, List<Route> wanted) {
        List<Change> changes = new ArrayList<>();
        for (Route r : wanted) {
            Route old = existing.get(r.id());
            if (old == null) {
                changes.add(new Change(Kind.ADDED, r, List.of()));
                continue;
            }
            List<String> fields = new ArrayList<>();
            diff(fields, "listener", old.listener(), r.listener());
            diff(fields, "approval", old.approvalRef(), r.approvalRef());
            diff(fields, "senders", old.senders(), r.senders());
            diff(fields, "receivers", old.receivers(), r.receivers());
            if (!old.recipientCertificates().equals(r.recipientCertificates())) {
                fields.add("recipients changed");
            }
            diff(fields, "max-payload", old.maxPayloadBytes(), r.maxPayloadBytes());
            diff(fields, "retention", old.retention(), r.retention());
            diff(fields, "allow-cbc", old.allowCbc(), r.allowCbc());
            diff(fields, "compression", old.compression(), r.compression());
            changes.add(new Change(fields.isEmpty() ? Kind.UNCHANGED : Kind.CHANGED, r, fields));
        }
        return new RouteDiff(changes);
    }

    public boolean changesAnything() {
        return changes.stream().anyMatch(c -> c.kind() != Kind.UNCHANGED);
    }

    private static void diff(List<String> fields, String name, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            fields.add(name + " " + before + " -> " + after);
        }
    }
}
