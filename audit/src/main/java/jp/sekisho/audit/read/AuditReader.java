package jp.sekisho.audit.read;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.verify.AuditVerifier;
import jp.sekisho.audit.verify.VerifyResult;

/**
 * Reads the audit store: search, streaming export and verification. Every read is itself audited
 * (AUDIT_READ, committed before any row is returned, so an unaudited read cannot happen). Rows stream
 * through a server-side cursor in one read-only snapshot, so exports of millions of rows run in
 * bounded memory and see checkpoints and events consistently.
 */
public final class AuditReader {

    private static final int FETCH = 1000;

    private final DataSource dataSource;
    private final AuditLog log;

    public AuditReader(DataSource dataSource, AuditLog log) {
        this.dataSource = dataSource;
        this.log = log;
    }

    /** Matching events, at most {@code q.limit()} (1000 when unset). */
    public List<RecordedEvent> search(AuditQuery q, AuditPrincipal reader) {
        AuditQuery bounded = q.limit() == 0 ? q.limit(1000) : q;
        audit(reader, "search", bounded, null);
        List<RecordedEvent> out = new ArrayList<>();
        inSnapshot(c -> {
            try (PreparedStatement ps = QuerySql.of(bounded).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(EventRowMapper.event(rs));
                    }
                }
            }
            return null;
        });
        return out;
    }

    /**
     * Streams the matching events and the checkpoints of their nodes to {@code out}, closed by an end
     * record (an error record if the store fails mid-stream); returns the event count.
     */
    public long export(AuditQuery q, AuditPrincipal reader, ExportFormat format, OutputStream out) {
        try (ExportSnapshot snapshot = openExport(q, reader, format)) {
            return snapshot.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Audits the read and opens its snapshot, without writing yet: a store that is down fails here,
     * before any byte of a response. The caller closes the snapshot.
     */
    public ExportSnapshot openExport(AuditQuery q, AuditPrincipal reader, ExportFormat format) {
        audit(reader, "export", q, format.name().toLowerCase(Locale.ROOT));
        return ExportSnapshot.open(dataSource, q, format);
    }

    /** Verifies every chain in the store against checkpoints signed by {@code key}. */
    public VerifyResult verify(PublicKey key, AuditPrincipal reader) {
        return verify(key, null, reader);
    }

    /** Verifies the chain of one node ({@code nodeId}), or of all nodes when null. */
    public VerifyResult verify(PublicKey key, String nodeId, AuditPrincipal reader) {
        return verify(key, nodeId, reader, false);
    }

    /** As {@link #verify(PublicKey, String, AuditPrincipal)}; {@code archivedStart}: see {@link AuditVerifier}. */
    public VerifyResult verify(PublicKey key, String nodeId, AuditPrincipal reader, boolean archivedStart) {
        AuditQuery q = AuditQuery.all().node(nodeId);
        audit(reader, "verify", q, null);
        return inSnapshot(c -> {
            List<Checkpoint> cps = checkpoints(c, nodeId);
            try (PreparedStatement ps = QuerySql.of(q).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    return AuditVerifier.verify(new RowIterator(rs), cps, key, archivedStart);
                }
            }
        });
    }

    static String keyIdOf(Connection c) throws SQLException {
        try (var rs =
                c.createStatement().executeQuery("SELECT key_id FROM audit_checkpoint ORDER BY time DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static List<Checkpoint> checkpoints(Connection c, String nodeId) throws SQLException {
        String sql = "SELECT node_id, seq, time, hash, key_id, algorithm, signature FROM audit_checkpoint"
                + (nodeId == null ? "" : " WHERE node_id = ?") + " ORDER BY node_id, seq";
        List<Checkpoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (nodeId != null) {
                ps.setString(1, nodeId);
            }
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(EventRowMapper.checkpoint(rs));
                }
            }
        }
        return out;
    }

    private void audit(AuditPrincipal reader, String op, AuditQuery q, String format) {
        StringBuilder d = new StringBuilder("{\"op\":");
        Json.quote(d, op).append(",\"query\":").append(q.toJson());
        if (format != null) {
            d.append(",\"format\":");
            Json.quote(d, format);
        }
        d.append('}');
        log.commit(AuditEvent.of(EventType.AUDIT_READ, Outcome.ALLOW)
                .principal(reader)
                .detailJson(d.toString())
                .build());
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** How long a snapshot read may wait for the server's next answer (the pool's default is the write timeout). */
    private static final int SNAPSHOT_READ_TIMEOUT_MS = 60_000;

    private <T> T inSnapshot(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            // a scan may go long between rows; the AUDIT_READ commit before it already failed if the store is down
            c.setNetworkTimeout(Runnable::run, SNAPSHOT_READ_TIMEOUT_MS);
            c.setAutoCommit(false); // a cursor streams only inside a transaction
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
        }
    }

    /** Adapts a forward-only result set to the verifier's iterator. */
    private static final class RowIterator implements Iterator<RecordedEvent> {
        private final ResultSet rs;
        private Boolean ready;

        RowIterator(ResultSet rs) {
            this.rs = rs;
        }

        @Override
        public boolean hasNext() {
            if (ready == null) {
                try {
                    ready = rs.next();
                } catch (SQLException e) {
                    throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
                }
            }
            return ready;
        }

        @Override
        public RecordedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = null;
            try {
                return EventRowMapper.event(rs);
            } catch (SQLException e) {
                throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
            }
        }
    }
}
