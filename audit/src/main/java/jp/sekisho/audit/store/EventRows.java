package jp.sekisho.audit.store;

import jp.sekisho.audit.AuditPrincipal;

/** Formats events as rows of PostgreSQL's COPY text format: the fastest way in. */
final class EventRows {

    static final String COPY_SQL = "COPY audit_event (node_id, seq, time, event_type, outcome, reason, "
            + "principal_subject, principal_serial, principal_sha256, source_ip, source_port, listener_port, "
            + "route_id, approval_ref, transfer_id, byte_count, payload_sha256, request_id, detail, prev_hash, hash) "
            + "FROM STDIN";

    private EventRows() {}

    /** One row: the chain position, the event's precomputed {@link #fields}, and the chain hashes. */
    static void append(
            StringBuilder out,
            String escapedNode,
            long seq,
            java.time.Instant time,
            String fields,
            String prevHash,
            String hash) {
        out.append(escapedNode)
                .append('\t')
                .append(seq)
                .append('\t')
                .append(time)
                .append('\t')
                .append(fields)
                .append('\t')
                .append(prevHash)
                .append('\t')
                .append(hash)
                .append('\n');
    }

    static String escaped(String s) {
        StringBuilder b = new StringBuilder(s.length());
        field(b, s);
        return b.toString();
    }

    /** The event's own columns (event_type .. detail), escaped and tab-separated; built on the caller's thread. */
    static String fields(jp.sekisho.audit.AuditEvent e) {
        AuditPrincipal p = e.principal();
        StringBuilder out = new StringBuilder(400);
        field(out, e.type().name());
        sep(out, e.outcome().name());
        sep(out, e.reason());
        sep(out, p == null ? null : p.subject());
        sep(out, p == null ? null : p.serial());
        sep(out, p == null ? null : p.sha256());
        sep(out, e.sourceIp());
        sep(out, e.sourcePort());
        sep(out, e.listenerPort());
        sep(out, e.routeId());
        sep(out, e.approvalRef());
        sep(out, e.transferId());
        sep(out, e.bytes());
        sep(out, e.payloadSha256());
        sep(out, e.requestId());
        sep(out, e.detailJson());
        return out.toString();
    }

    private static void sep(StringBuilder out, Object v) {
        out.append('\t');
        field(out, v == null ? null : v.toString());
    }

    private static void field(StringBuilder out, String s) {
        if (s == null) {
            out.append("\\N");
            return;
        }
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                break;
            }
            i++;
        }
        if (i == s.length()) {
            out.append(s); // the usual case: nothing to escape, one bulk copy
            return;
        }
        out.append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}
