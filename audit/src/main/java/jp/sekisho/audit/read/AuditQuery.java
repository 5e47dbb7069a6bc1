package jp.sekisho.audit.read;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;

/**
 * Which events to read, and in which order. Null (or empty) means "any".
 *
 * <p>Two orders ({@link Order}): {@code CHAIN} (node, sequence; what exports and verification read,
 * paged with {@link #after(String, long)}) and {@code NEWEST_FIRST} (time, node, sequence, all
 * descending; what people read, paged with {@link #before(Cursor)} from the {@link EventPage#next()}
 * of the previous page). Both page by key, never by offset: a page never repeats or skips an event
 * because others arrived meanwhile.
 *
 * @param principal   matches the certificate subject however its DN is written, its serial or its
 *                    SHA-256 fingerprint (see {@link PrincipalMatch})
 * @param source      an IP address or CIDR block (e.g. {@code 10.1.0.0/16})
 * @param approvalRef an approval's reference number (full-width digits match their ASCII form)
 * @param before      only events strictly before this position in (time, node, sequence)
 * @param newerThan   only events strictly after this position in (time, node, sequence)
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
        String approvalRef,
        String transferId,
        String nodeId,
        Order order,
        Cursor before,
        Cursor newerThan,
        String afterNode,
        long afterSeq,
        int limit) {

    /** The order results come in. */
    public enum Order {
        /** By node, then sequence: the hash chains' own order, for exports and verification. */
        CHAIN,
        /** By time, then node, then sequence, newest first: for people. */
        NEWEST_FIRST
    }

    public AuditQuery {
        types = types == null || types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
        order = order == null ? Order.CHAIN : order;
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = no limit)");
        }
        QueryChecks.text("reason", reason);
        QueryChecks.text("principal", principal);
        QueryChecks.text("route", routeId);
        QueryChecks.text("approval", approvalRef);
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
        return new AuditQuery(
                null, null, null, null, null, null, null, null, null, null, null, Order.CHAIN, null, null, null, 0, 0);
    }

    public AuditQuery between(Instant f, Instant t) {
        return with(q -> {
            q.from = f;
            q.to = t;
        });
    }

    public AuditQuery types(Set<EventType> v) {
        return with(q -> q.types = v);
    }

    public AuditQuery outcome(Outcome v) {
        return with(q -> q.outcome = v);
    }

    public AuditQuery reason(String v) {
        return with(q -> q.reason = v);
    }

    public AuditQuery principal(String v) {
        return with(q -> q.principal = v);
    }

    public AuditQuery source(String v) {
        return with(q -> q.source = v);
    }

    public AuditQuery route(String v) {
        return with(q -> q.routeId = v);
    }

    public AuditQuery approval(String v) {
        return with(q -> q.approvalRef = v);
    }

    public AuditQuery transfer(String v) {
        return with(q -> q.transferId = v);
    }

    public AuditQuery node(String v) {
        return with(q -> q.nodeId = v);
    }

    public AuditQuery order(Order v) {
        return with(q -> q.order = v);
    }

    /** Newest first, as people read the log: {@code order(Order.NEWEST_FIRST)}. */
    public AuditQuery newestFirst() {
        return order(Order.NEWEST_FIRST);
    }

    /** Only events before {@code c} in (time, node, sequence): the next page of a newest-first search. */
    public AuditQuery before(Cursor c) {
        return with(q -> q.before = c);
    }

    /** As {@link #before(Cursor)}, from the last event's time, node and sequence. */
    public AuditQuery before(Instant time, String node, long seq) {
        return before(new Cursor(time, node, seq));
    }

    /**
     * Only events after {@code c} in (time, node, sequence): what arrived since a live view's last poll.
     * Events are found by their time: on a store several nodes write, an event committed late with a
     * time before the cursor is found by searches but not by such a poll; a live view that must miss
     * none polls from a cursor a few seconds back and drops the events it already shows.
     */
    public AuditQuery newerThan(Cursor c) {
        return with(q -> q.newerThan = c);
    }

    /** Only events after {@code (node, seq)} in (node, sequence) order; node may be null for a single-node store. */
    public AuditQuery after(String node, long seq) {
        return with(q -> {
            q.afterNode = node;
            q.afterSeq = seq;
        });
    }

    public AuditQuery limit(int v) {
        return with(q -> q.limit = v);
    }

    /**
     * The same filters without order, cursors and limit: the set a page is cut from, which a count
     * counts and a read session is opened for.
     */
    public AuditQuery filters() {
        return with(q -> {
            q.order = Order.CHAIN;
            q.before = null;
            q.newerThan = null;
            q.afterNode = null;
            q.afterSeq = 0;
            q.limit = 0;
        });
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
                && approvalRef == null
                && transferId == null
                && before == null
                && newerThan == null
                && afterSeq == 0
                && afterNode == null
                && limit == 0;
    }

    /**
     * A compact JSON description, recorded in the AUDIT_READ event and an export's header. Fields
     * left unset are omitted, so a query that uses none of the newer fields reads as it always did.
     */
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
        add(b, "approval", approvalRef);
        add(b, "transfer", transferId);
        add(b, "node", nodeId);
        add(b, "order", order == Order.CHAIN ? null : order.name());
        add(b, "before", before == null ? null : before.token());
        add(b, "newer_than", newerThan == null ? null : newerThan.token());
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

    /** A copy with some fields changed: one place that lists them all, instead of one per wither. */
    private AuditQuery with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    private static final class Fields {
        Instant from;
        Instant to;
        Set<EventType> types;
        Outcome outcome;
        String reason;
        String principal;
        String source;
        String routeId;
        String approvalRef;
        String transferId;
        String nodeId;
        Order order;
        Cursor before;
        Cursor newerThan;
        String afterNode;
        long afterSeq;
        int limit;

        Fields(AuditQuery q) {
            Objects.requireNonNull(q);
            from = q.from;
            to = q.to;
            types = q.types;
            outcome = q.outcome;
            reason = q.reason;
            principal = q.principal;
            source = q.source;
            routeId = q.routeId;
            approvalRef = q.approvalRef;
            transferId = q.transferId;
            nodeId = q.nodeId;
            order = q.order;
            before = q.before;
            newerThan = q.newerThan;
            afterNode = q.afterNode;
            afterSeq = q.afterSeq;
            limit = q.limit;
        }

        AuditQuery build() {
            return new AuditQuery(
                    from,
                    to,
                    types,
                    outcome,
                    reason,
                    principal,
                    source,
                    routeId,
                    approvalRef,
                    transferId,
                    nodeId,
                    order,
                    before,
                    newerThan,
                    afterNode,
                    afterSeq,
                    limit);
        }
    }
}
