package jp.sekisho.audit.read;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.keys.KeyRegistry;
import jp.sekisho.audit.keys.RegisteredKey;

/**
 * One export, read in one snapshot: the transaction (REPEATABLE READ, read only) is opened and its
 * snapshot taken by {@link #open} (key id and checkpoints read), so events committed while the
 * export streams never appear half-way, and the checkpoints, the events and the end record agree.
 * Opening is separate from {@link #writeTo} so that a store that is down is refused before a
 * response has started (503 through the gateway), not discovered after a 200.
 */
public final class ExportSnapshot implements AutoCloseable {

    /** The reason an error record gives when the store failed mid-stream. */
    public static final String STORE_FAILED = "AUDIT_UNAVAILABLE";

    private static final int FETCH = 1000;

    private final Connection c;
    private final AuditQuery q;
    private final ExportFormat format;
    private final String keyId;
    private final List<Checkpoint> checkpoints;
    private final List<RegisteredKey> keys;

    private ExportSnapshot(
            Connection c,
            AuditQuery q,
            ExportFormat format,
            String keyId,
            List<Checkpoint> checkpoints,
            List<RegisteredKey> keys) {
        this.c = c;
        this.q = q;
        this.format = format;
        this.keyId = keyId;
        this.checkpoints = checkpoints;
        this.keys = keys;
    }

    static ExportSnapshot open(DataSource dataSource, AuditQuery q, ExportFormat format) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            // the pool's socket timeout is the write timeout (seconds); a million-event scan may take longer
            // before its first row, and the AUDIT_READ commit before it already failed if the store is down
            c.setNetworkTimeout(Runnable::run, AuditReader.SNAPSHOT_READ_TIMEOUT_MS);
            c.setAutoCommit(false); // a cursor streams only inside a transaction
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            // the first query fixes the snapshot for everything the export reads
            String keyId = AuditReader.keyIdOf(c);
            List<Checkpoint> cps = AuditReader.checkpoints(c, q.nodeId());
            List<RegisteredKey> keys = KeyRegistry.list(c, q.nodeId());
            return new ExportSnapshot(c, q, format, keyId, cps, keys);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
        }
    }

    /**
     * Streams header, checkpoints, events and the end record; returns the event count. A store
     * failure mid-stream ends the stream with an error record and throws {@link
     * AuditUnavailableException}; an {@link IOException} means the reader went away.
     */
    public long writeTo(OutputStream out) throws IOException {
        if (format == ExportFormat.JSONL && !q.isComplete()) {
            return new ProofRanges(c, q, keyId, checkpoints, keys).writeTo(out);
        }
        long n = 0;
        try (ExportWriter w = format == ExportFormat.JSONL
                ? new JsonlExporter(out, EventJson.header(Instant.now().toString(), keyId, q.toJson()))
                : new CsvExporter(out)) {
            for (Checkpoint cp : checkpoints) {
                w.checkpoint(cp);
            }
            for (RegisteredKey k : keys) {
                w.signingKey(k);
            }
            try (PreparedStatement ps = QuerySql.of(q).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        w.event(EventRowMapper.event(rs));
                        n++;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                String why = "audit store read failed: " + Database.oneLine(e);
                w.failed(STORE_FAILED, why, n);
                throw new AuditUnavailableException(why + " (after " + n + " events)", e);
            }
            w.end(n, checkpoints.size());
            return n;
        }
    }

    @Override
    public void close() {
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try (c) {
            c.rollback();
        } catch (SQLException ignored) {
            // a broken connection: the pool discards it
        }
    }
}
