package jp.sekisho.audit.read;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.EventType;

/** Turns an {@link AuditQuery} into parameterised SQL: filters never become SQL text. */
final class QuerySql {

    static final String COLUMNS =
            "node_id, seq, time, event_type, outcome, reason, principal_subject, principal_serial, "
                    + "principal_sha256, source_ip, source_port, listener_port, route_id, approval_ref, transfer_id, byte_count, "
                    + "payload_sha256, request_id, detail, prev_hash, hash";

    final String sql;
    private final List<Object> params;

    private QuerySql(String sql, List<Object> params) {
        this.sql = sql;
        this.params = params;
    }

    /** The matching events in the query's order, at most {@code q.limit()} (0: all). */
    static QuerySql of(AuditQuery q) {
        return of(q, q.limit());
    }

    /** As {@link #of(AuditQuery)} with another limit: a page fetches one more row to know whether it was cut. */
    static QuerySql of(AuditQuery q, int limit) {
        List<Alternative> alternatives = alternatives(q);
        if (q.order() == AuditQuery.Order.NEWEST_FIRST && limit > 0 && !alternatives.isEmpty()) {
            return newestOfAlternatives(q, limit, alternatives);
        }
        List<Object> p = new ArrayList<>();
        String where = where(q, p, false);
        String order = q.order() == AuditQuery.Order.NEWEST_FIRST ? NEWEST : " ORDER BY node_id, seq";
        String sql = "SELECT " + COLUMNS + " FROM audit_event" + where + order + (limit > 0 ? " LIMIT " + limit : "");
        return new QuerySql(sql, p);
    }

    private static final String NEWEST = " ORDER BY time DESC, node_id DESC, seq DESC";

    /** One way a filter can match: a condition on one indexed column and its parameter. */
    private record Alternative(String condition, String value) {}

    /**
     * The ways the principal filter (or, without one, an approval typed in two forms) can match, each
     * on an index that holds the time key after the value (migration V3).
     */
    private static List<Alternative> alternatives(AuditQuery q) {
        List<Alternative> out = new ArrayList<>();
        if (q.principal() != null) {
            PrincipalMatch m = PrincipalMatch.of(q.principal());
            m.subjects().forEach(v -> out.add(new Alternative("lower(principal_subject) = lower(?)", v)));
            m.serials().forEach(v -> out.add(new Alternative("principal_serial = ?", v)));
            if (m.sha256() != null) {
                out.add(new Alternative("principal_sha256 = ?", m.sha256()));
            }
        } else if (q.approvalRef() != null && forms(q.approvalRef()).size() > 1) {
            forms(q.approvalRef()).forEach(v -> out.add(new Alternative("approval_ref = ?", v)));
        }
        return out;
    }

    /**
     * The newest page of events matching any of several alternatives: a UNION of one ordered index
     * scan per alternative, each stopping after the page, then the page of their union. An OR of the
     * alternatives would make PostgreSQL either fetch and sort every match or walk the time index until
     * it has found a page, which for a principal with few events reads the whole log. UNION, not UNION
     * ALL: an event that matches two alternatives (its subject and its serial) appears once.
     */
    private static QuerySql newestOfAlternatives(AuditQuery q, int limit, List<Alternative> alternatives) {
        List<Object> p = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM (");
        for (int i = 0; i < alternatives.size(); i++) {
            Alternative a = alternatives.get(i);
            p.add(a.value());
            String others = where(q, p, true);
            sql.append(i == 0 ? "(" : " UNION (")
                    .append("SELECT ")
                    .append(COLUMNS)
                    .append(" FROM audit_event WHERE ")
                    .append(a.condition())
                    .append(others.isEmpty() ? "" : " AND " + others.substring(" WHERE ".length()))
                    .append(NEWEST)
                    .append(" LIMIT ")
                    .append(limit)
                    .append(')');
        }
        sql.append(") matching").append(NEWEST).append(" LIMIT ").append(limit);
        return new QuerySql(sql.toString(), p);
    }

    /**
     * Counts the events of the query's filters (paging ignored), stopping after {@code cap + 1} rows:
     * the answer is exact up to the cap and "more than the cap" beyond, at bounded cost.
     */
    static QuerySql count(AuditQuery q, int cap) {
        List<Object> p = new ArrayList<>();
        String where = where(q.filters(), p, false);
        return new QuerySql(
                "SELECT count(*) FROM (SELECT 1 FROM audit_event" + where + " LIMIT " + (cap + 1L) + ") capped", p);
    }

    /**
     * The WHERE clause of {@code q}'s filters and cursors, parameters appended to {@code p}; without
     * the one {@link #alternatives} matches by when {@code alternativesApart}.
     */
    private static String where(AuditQuery q, List<Object> p, boolean alternativesApart) {
        boolean principalApart = alternativesApart && q.principal() != null;
        boolean approvalApart = alternativesApart && !principalApart && q.approvalRef() != null;
        StringBuilder w = new StringBuilder();
        if (q.from() != null) {
            and(w, "time >= ?");
            p.add(q.from().atOffset(ZoneOffset.UTC));
        }
        if (q.to() != null) {
            and(w, "time < ?");
            p.add(q.to().atOffset(ZoneOffset.UTC));
        }
        if (!q.types().isEmpty()) {
            and(w, "event_type = ANY (?)");
            p.add(q.types().stream().map(EventType::name).sorted().toArray(String[]::new));
        }
        if (q.outcome() != null) {
            and(w, "outcome = ?");
            p.add(q.outcome().name());
        }
        eq(w, p, "reason", q.reason());
        if (q.principal() != null && !principalApart) {
            principal(w, p, PrincipalMatch.of(q.principal()));
        }
        if (q.source() != null) {
            and(w, "source_ip::inet <<= ?::inet");
            p.add(q.source());
        }
        eq(w, p, "route_id", q.routeId());
        if (q.approvalRef() != null && !approvalApart) {
            // a reference typed with full-width digits (８福第３０１号) is the same approval as 8福第301号
            in(w, p, "approval_ref", forms(q.approvalRef()));
        }
        eq(w, p, "transfer_id", q.transferId());
        eq(w, p, "node_id", q.nodeId());
        if (q.before() != null) {
            and(w, "(time, node_id, seq) < (?, ?, ?)");
            cursor(p, q.before());
        }
        if (q.newerThan() != null) {
            and(w, "(time, node_id, seq) > (?, ?, ?)");
            cursor(p, q.newerThan());
        }
        if (q.afterNode() != null) {
            and(w, "(node_id, seq) > (?, ?)");
            p.add(q.afterNode());
            p.add(q.afterSeq());
        } else if (q.afterSeq() > 0) {
            and(w, "seq > ?");
            p.add(q.afterSeq());
        }
        return w.length() == 0 ? "" : " WHERE " + w;
    }

    /** Subject in any of its written forms (compared lower-cased, as indexed), or serial, or fingerprint. */
    private static void principal(StringBuilder w, List<Object> p, PrincipalMatch m) {
        StringBuilder or = new StringBuilder("(lower(principal_subject) IN (");
        for (int i = 0; i < m.subjects().size(); i++) {
            or.append(i == 0 ? "lower(?)" : ", lower(?)");
            p.add(m.subjects().get(i));
        }
        or.append(')');
        if (!m.serials().isEmpty()) {
            or.append(" OR principal_serial IN (")
                    .append(String.join(
                            ", ", java.util.Collections.nCopies(m.serials().size(), "?")))
                    .append(')');
            p.addAll(m.serials());
        }
        if (m.sha256() != null) {
            or.append(" OR principal_sha256 = ?");
            p.add(m.sha256());
        }
        and(w, or.append(')').toString());
    }

    private static List<String> forms(String v) {
        Set<String> s = new LinkedHashSet<>();
        s.add(v);
        s.add(Normalizer.normalize(v, Normalizer.Form.NFKC));
        return new ArrayList<>(s);
    }

    private static void cursor(List<Object> p, Cursor c) {
        p.add(c.time().atOffset(ZoneOffset.UTC));
        p.add(c.node());
        p.add(c.seq());
    }

    private static void eq(StringBuilder w, List<Object> p, String col, String v) {
        if (v != null) {
            and(w, col + " = ?");
            p.add(v);
        }
    }

    private static void in(StringBuilder w, List<Object> p, String col, List<String> values) {
        if (values.size() == 1) {
            eq(w, p, col, values.get(0));
            return;
        }
        and(w, col + " IN (" + String.join(", ", java.util.Collections.nCopies(values.size(), "?")) + ")");
        p.addAll(values);
    }

    private static void and(StringBuilder w, String cond) {
        if (w.length() > 0) {
            w.append(" AND ");
        }
        w.append(cond);
    }

    PreparedStatement prepare(java.sql.Connection c) throws SQLException {
        return prepare(c, "");
    }

    /** The statement behind {@code prefix}, e.g. {@code EXPLAIN ANALYZE } for the search benchmark. */
    PreparedStatement prepare(java.sql.Connection c, String prefix) throws SQLException {
        PreparedStatement ps = c.prepareStatement(prefix + sql);
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof String[] arr) {
                ps.setArray(i + 1, c.createArrayOf("text", arr));
            } else {
                ps.setObject(i + 1, v);
            }
        }
        return ps;
    }
}
