package jp.sekisho.audit.read;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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

    static QuerySql of(AuditQuery q) {
        StringBuilder w = new StringBuilder();
        List<Object> p = new ArrayList<>();
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
            p.add(q.types().stream().map(EventType::name).toArray(String[]::new));
        }
        if (q.outcome() != null) {
            and(w, "outcome = ?");
            p.add(q.outcome().name());
        }
        eq(w, p, "reason", q.reason());
        if (q.principal() != null) {
            and(w, "(principal_subject = ? OR principal_serial = ? OR principal_sha256 = lower(?))");
            p.add(q.principal());
            p.add(q.principal());
            p.add(q.principal());
        }
        if (q.source() != null) {
            and(w, "source_ip::inet <<= ?::inet");
            p.add(q.source());
        }
        eq(w, p, "route_id", q.routeId());
        eq(w, p, "transfer_id", q.transferId());
        eq(w, p, "node_id", q.nodeId());
        if (q.afterNode() != null) {
            and(w, "(node_id, seq) > (?, ?)");
            p.add(q.afterNode());
            p.add(q.afterSeq());
        } else if (q.afterSeq() > 0) {
            and(w, "seq > ?");
            p.add(q.afterSeq());
        }
        String sql = "SELECT " + COLUMNS + " FROM audit_event" + (w.length() == 0 ? "" : " WHERE " + w)
                + " ORDER BY node_id, seq" + (q.limit() > 0 ? " LIMIT " + q.limit() : "");
        return new QuerySql(sql, p);
    }

    private static void eq(StringBuilder w, List<Object> p, String col, String v) {
        if (v != null) {
            and(w, col + " = ?");
            p.add(v);
        }
    }

    private static void and(StringBuilder w, String cond) {
        if (w.length() > 0) {
            w.append(" AND ");
        }
        w.append(cond);
    }

    PreparedStatement prepare(java.sql.Connection c) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
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
