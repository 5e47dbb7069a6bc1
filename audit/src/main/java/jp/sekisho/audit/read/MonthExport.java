package jp.sekisho.audit.read;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;

/**
 * The JSON Lines export of one month partition, for archiving: its events in chain order and the signed
 * checkpoints that cover them, from the one sealing the event just before the month (where the chain comes
 * from) to the one sealing the month's last event. Same format and writer as {@code audit export}
 * (docs/audit-export.md), so {@code audit verify --file --archived} checks it offline.
 */
public final class MonthExport {

    /** Where one node's chain enters and leaves the month. */
    public record Span(long firstSeq, String firstPrevHash, long lastSeq, String lastHash) {}

    /** What was written: event and checkpoint lines, and each node's span. */
    public record Written(long events, long checkpoints, Map<String, Span> nodes) {}

    private MonthExport() {}

    /** Each node's first and last sequence number in {@code table}, by node. */
    public static Map<String, long[]> ranges(Connection c, String table) throws SQLException {
        Map<String, long[]> out = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT node_id, min(seq), max(seq) FROM " + Database.quoteIdent(table)
                        + " GROUP BY node_id")) {
            while (rs.next()) {
                out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
        }
        return out;
    }

    /**
     * Writes {@code table}'s events and covering checkpoints to {@code out} with an end record. Read on {@code c}
     * as it is (the caller chooses the transaction).
     */
    public static Written write(Connection c, String table, String keyId, String query, OutputStream out)
            throws SQLException, IOException {
        Map<String, long[]> ranges = ranges(c, table);
        List<Checkpoint> cps = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT node_id, seq, time, hash, key_id, algorithm, signature FROM audit_checkpoint"
                        + " WHERE node_id = ? AND seq BETWEEN ? AND ? ORDER BY seq")) {
            for (Map.Entry<String, long[]> r : ranges.entrySet()) {
                ps.setString(1, r.getKey());
                ps.setLong(2, r.getValue()[0] - 1);
                ps.setLong(3, r.getValue()[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cps.add(EventRowMapper.checkpoint(rs));
                    }
                }
            }
        }
        Map<String, Span> spans = new TreeMap<>();
        long n = 0;
        String header = EventJson.header(Instant.now().toString(), keyId, query);
        // "proof":"archive": the chains may start right after the signed checkpoint that seals the month before
        header = header.substring(0, header.length() - 1) + ",\"proof\":\"archive\"}";
        try (ExportWriter w = new JsonlExporter(out, header)) {
            for (Checkpoint cp : cps) {
                w.checkpoint(cp);
            }
            for (jp.sekisho.audit.keys.RegisteredKey k : jp.sekisho.audit.keys.KeyRegistry.list(c, null)) {
                if (ranges.containsKey(k.nodeId())) {
                    w.signingKey(k);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + QuerySql.COLUMNS + " FROM " + Database.quoteIdent(table) + " ORDER BY node_id, seq")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        RecordedEvent e = EventRowMapper.event(rs);
                        w.event(e);
                        n++;
                        Span s = spans.get(e.nodeId());
                        spans.put(
                                e.nodeId(),
                                new Span(
                                        s == null ? e.seq() : s.firstSeq(),
                                        s == null ? e.prevHash() : s.firstPrevHash(),
                                        e.seq(),
                                        e.hash()));
                    }
                }
            }
            w.end(n, cps.size());
        }
        return new Written(n, cps.size(), spans);
    }
}
