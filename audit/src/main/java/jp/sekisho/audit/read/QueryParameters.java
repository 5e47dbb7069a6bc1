package jp.sekisho.audit.read;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An {@link AuditQuery} written back as the audit API's query parameters (the names {@code
 * /api/v1/audit/events} reads, in a fixed order), so that a "next page" link or command repeats the
 * search exactly: times as instants (a relative {@code since} already resolved, so the window does
 * not slide between pages), types sorted, cursors as tokens.
 */
public final class QueryParameters {

    /** The value of {@code order} for {@link AuditQuery.Order#NEWEST_FIRST}. */
    public static final String NEWEST = "newest";

    /** The value of {@code order} for {@link AuditQuery.Order#CHAIN}. */
    public static final String CHAIN = "chain";

    private QueryParameters() {}

    /** Parameter name to value, unset ones left out; {@code order} only when newest first. */
    public static Map<String, String> of(AuditQuery q) {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "from", q.from() == null ? null : q.from().toString());
        put(m, "to", q.to() == null ? null : q.to().toString());
        put(
                m,
                "type",
                q.types().isEmpty()
                        ? null
                        : q.types().stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        put(m, "outcome", q.outcome() == null ? null : q.outcome().name());
        put(m, "reason", q.reason());
        put(m, "principal", q.principal());
        put(m, "source", q.source());
        put(m, "route", q.routeId());
        put(m, "approval", q.approvalRef());
        put(m, "transfer", q.transferId());
        put(m, "node", q.nodeId());
        put(m, "order", q.order() == AuditQuery.Order.NEWEST_FIRST ? NEWEST : null);
        put(m, "before", q.before() == null ? null : q.before().token());
        put(m, "newerThan", q.newerThan() == null ? null : q.newerThan().token());
        put(m, "afterNode", q.afterNode());
        put(m, "afterSeq", q.afterSeq() == 0 ? null : Long.toString(q.afterSeq()));
        put(m, "limit", q.limit() == 0 ? null : Integer.toString(q.limit()));
        return m;
    }

    /** The next page's query: the same filters, starting after the page's last event. */
    public static AuditQuery next(AuditQuery q, EventPage page) {
        if (!page.more()) {
            throw new IllegalArgumentException("the page was not cut: there is no next page");
        }
        Cursor c = page.next();
        return q.order() == AuditQuery.Order.NEWEST_FIRST ? q.before(c) : q.after(c.node(), c.seq());
    }

    /** {@link #of} as a URL query string ({@code a=1&b=2}), values percent-encoded as UTF-8. */
    public static String queryString(AuditQuery q) {
        return of(q).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
