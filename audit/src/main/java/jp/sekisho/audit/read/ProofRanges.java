package jp.sekisho.audit.read;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.json.Json;

/**
 * A filtered JSON Lines export that still verifies offline. Each event's hash covers the one before
 * it, so the matching events alone cannot be checked against the signed checkpoints. Per node, the
 * export therefore carries the whole stretch of the chain that holds every match: from just after
 * the last signed checkpoint before the first match (or #1) to the first signed checkpoint at or
 * after the last match (or the chain's end). The header says so ({@code "proof":"ranges"}, with each
 * node's range and its number of matches) and names the filter; the verifier then accepts a chain
 * that starts right after a signed checkpoint. The CSV export is the matching events alone.
 */
final class ProofRanges {

    private static final int FETCH = 1000;

    private final Connection c;
    private final AuditQuery q;
    private final String keyId;
    private final List<Checkpoint> checkpoints;
    private final List<jp.sekisho.audit.keys.RegisteredKey> keys;

    /** A node's stretch of the chain: events {@code after < seq <= until}. */
    private record Range(String node, long after, long until, long matches) {}

    ProofRanges(
            Connection c,
            AuditQuery q,
            String keyId,
            List<Checkpoint> checkpoints,
            List<jp.sekisho.audit.keys.RegisteredKey> keys) {
        this.c = c;
        this.q = q;
        this.keyId = keyId;
        this.checkpoints = checkpoints;
        this.keys = keys;
    }

    long writeTo(OutputStream out) throws IOException {
        List<Range> ranges;
        try {
            ranges = ranges();
        } catch (SQLException | RuntimeException e) {
            throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
        }
        long n = 0;
        long cps = 0;
        try (JsonlExporter w = new JsonlExporter(out, header(ranges))) {
            for (Range r : ranges) {
                for (Checkpoint cp : checkpoints) {
                    if (cp.nodeId().equals(r.node()) && cp.seq() >= r.after() && cp.seq() <= r.until()) {
                        w.checkpoint(cp);
                        cps++;
                    }
                }
            }
            for (jp.sekisho.audit.keys.RegisteredKey k : keys) {
                if (ranges.stream().anyMatch(r -> r.node().equals(k.nodeId()))) {
                    w.signingKey(k);
                }
            }
            try {
                for (Range r : ranges) {
                    n += stream(r, w);
                }
            } catch (SQLException | RuntimeException e) {
                String why = "audit store read failed: " + Database.oneLine(e);
                w.failed(ExportSnapshot.STORE_FAILED, why, n);
                throw new AuditUnavailableException(why + " (after " + n + " events)", e);
            }
            w.end(n, cps);
            return n;
        }
    }

    /** First pass over the matches: each node's first and last matching sequence number. */
    private List<Range> ranges() throws SQLException {
        Map<String, long[]> span = new TreeMap<>(); // node -> {first, last, count}
        try (PreparedStatement ps = QuerySql.of(q.filters()).prepare(c)) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RecordedEvent e = EventRowMapper.event(rs);
                    long[] s = span.computeIfAbsent(e.nodeId(), k -> new long[] {Long.MAX_VALUE, 0, 0});
                    s[0] = Math.min(s[0], e.seq());
                    s[1] = Math.max(s[1], e.seq());
                    s[2]++;
                }
            }
        }
        List<Range> out = new ArrayList<>();
        span.forEach((node, s) -> {
            long after = 0;
            long until = Long.MAX_VALUE;
            for (Checkpoint cp : checkpoints) {
                if (!cp.nodeId().equals(node)) {
                    continue;
                }
                if (cp.seq() < s[0]) {
                    after = Math.max(after, cp.seq());
                }
                if (cp.seq() >= s[1]) {
                    until = Math.min(until, cp.seq());
                }
            }
            out.add(new Range(node, after, until, s[2]));
        });
        return out;
    }

    private long stream(Range r, JsonlExporter w) throws SQLException, IOException {
        long n = 0;
        AuditQuery chain = AuditQuery.all().node(r.node()).after(r.node(), r.after());
        try (PreparedStatement ps = QuerySql.of(chain).prepare(c)) {
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RecordedEvent e = EventRowMapper.event(rs);
                    if (e.seq() > r.until()) {
                        break;
                    }
                    w.event(e);
                    n++;
                }
            }
        }
        return n;
    }

    private String header(List<Range> ranges) {
        String base = EventJson.header(Instant.now().toString(), keyId, q.toJson());
        StringBuilder b =
                new StringBuilder(base.substring(0, base.length() - 1)).append(",\"proof\":\"ranges\",\"ranges\":[");
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            b.append(i == 0 ? "" : ",").append("{\"node\":");
            Json.quote(b, r.node())
                    .append(",\"from\":")
                    .append(r.after() + 1)
                    .append(",\"to\":")
                    .append(r.until() == Long.MAX_VALUE ? "null" : Long.toString(r.until()))
                    .append(",\"matches\":")
                    .append(r.matches())
                    .append('}');
        }
        return b.append("]}").toString();
    }
}
