package jp.sekisho.audit.read;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;

/**
 * Which events to read. Null (or empty) means "any". Results come ordered by node and sequence;
 * page with {@link #after(String, long)} from the last event of the previous page.
 *
 * @param principal matches the certificate subject, serial or SHA-256 fingerprint
 * @param source    an IP address or CIDR block (e.g. {@code 10.1.0.0/16})
 */
public record AuditQuery(
        Instant from,
        Instant to,
        Set<EventType> types,
        Outcome outcome,
        String reason,
        String principal,
        String source,
        String routeId,
        String transferId,
        String nodeId,
        String afterNode,
        long afterSeq,
        int limit) {

    public AuditQuery {
        types = types == null || types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = no limit)");
        }
        QueryChecks.text("reason", reason);
        QueryChecks.text("principal", principal);
        QueryChecks.text("route", routeId);
        QueryChecks.text("transfer", transferId);
        QueryChecks.text("node", nodeId);
        QueryChecks.text("node", afterNode);
        QueryChecks.source(source);
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException(
                    "from/to: 開始が終了より後です / from must not be after to (" + from + " > " + to + ")");
        }
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq: 0以上の整数を指定してください / must be a sequence number >= 0");
        }
    }

    public static AuditQuery all() {
        return new AuditQuery(null, null, null, null, null, null, null, null, null, null, null, 0, 0);
    }

    public AuditQuery between(Instant f, Instant t) {
        return new AuditQuery(
                f,
                t,
                types,
                outcome,
                reason,
                principal,
                source,
                routeId,
                transferId,
                nodeId,
                afterNode,
                afterSeq,
                limit);
    }

    public AuditQuery types(Set<EventType> v) {
        return new AuditQuery(
                from,
                to,
                v,
                outcome,
                reason,
                principal,
                source,
                routeId,
                transferId,
                nodeId,
                afterNode,
                afterSeq,
                limit);
    }

    public AuditQuery outcome(Outcome v) {
        return new AuditQuery(
                from, to, types, v, reason, principal, source, routeId, transferId, nodeId, afterNode, afterSeq, limit);
    }

    public AuditQuery reason(String v) {
        return new AuditQuery(
                from,
                to,
                types,
                outcome,
                v,
                principal,
                source,
                routeId,
                transferId,
                nodeId,
                afterNode,
                afterSeq,
                limit);
    }

    public AuditQuery principal(String v) {
        return new AuditQuery(
                from, to, types, outcome, reason, v, source, routeId, transferId, nodeId, afterNode, afterSeq, limit);
    }

    public AuditQuery source(String v) {
        return new AuditQuery(
                from,
                to,
                types,
                outcome,
                reason,
                principal,
                v,
                routeId,
                transferId,
                nodeId,
                afterNode,
                afterSeq,
                limit);
    }

    public AuditQuery route(String v) {
        return new AuditQuery(
                from, to, types, outcome, reason, principal, source, v, transferId, nodeId, afterNode, afterSeq, limit);
    }

    public AuditQuery transfer(String v) {
        return new AuditQuery(
                from, to, types, outcome, reason, principal, source, routeId, v, nodeId, afterNode, afterSeq, limit);
    }

    public AuditQuery node(String v) {
        return new AuditQuery(
                from,
                to,
                types,
                outcome,
                reason,
                principal,
                source,
                routeId,
                transferId,
                v,
                afterNode,
                afterSeq,
                limit);
    }

    /** Only events after {@code (node, seq)} in (node, sequence) order; node may be null for a single-node store. */
    public AuditQuery after(String node, long seq) {
        return new AuditQuery(
                from, to, types, outcome, reason, principal, source, routeId, transferId, nodeId, node, seq, limit);
    }

    public AuditQuery limit(int v) {
        return new AuditQuery(
                from,
                to,
                types,
                outcome,
                reason,
                principal,
                source,
                routeId,
                transferId,
                nodeId,
                afterNode,
                afterSeq,
                v);
    }

    /** True when no filter narrows the events, so the result is a whole, verifiable chain. */
    public boolean isComplete() {
        return from == null
                && to == null
                && types.isEmpty()
                && outcome == null
                && reason == null
                && principal == null
                && source == null
                && routeId == null
                && transferId == null
                && afterSeq == 0
                && afterNode == null
                && limit == 0;
    }

    /** A compact JSON description, recorded in the AUDIT_READ event. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{");
        add(b, "from", from == null ? null : from.toString());
        add(b, "to", to == null ? null : to.toString());
        add(
                b,
                "types",
                types.isEmpty()
                        ? null
                        : String.join(
                                ",", types.stream().map(Enum::name).sorted().toList()));
        add(b, "outcome", outcome == null ? null : outcome.name());
        add(b, "reason", reason);
        add(b, "principal", principal);
        add(b, "source", source);
        add(b, "route", routeId);
        add(b, "transfer", transferId);
        add(b, "node", nodeId);
        add(b, "after_node", afterNode);
        add(b, "after_seq", afterSeq == 0 ? null : Long.toString(afterSeq));
        add(b, "limit", limit == 0 ? null : Integer.toString(limit));
        return b.append('}').toString();
    }

    private static void add(StringBuilder b, String k, String v) {
        if (v == null) {
            return;
        }
        if (b.length() > 1) {
            b.append(',');
        }
        jp.sekisho.audit.json.Json.quote(b, k).append(':');
        jp.sekisho.audit.json.Json.quote(b, v);
    }
}
