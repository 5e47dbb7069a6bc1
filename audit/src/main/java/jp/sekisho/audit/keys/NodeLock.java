package jp.sekisho.audit.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.db.Database;

/**
 * A running gateway's claim on its node's chain: a session-level PostgreSQL advisory lock, held on a connection
 * of its own for as long as the store is open. A second gateway with the same node-id, or {@code audit rotate-key}
 * while the node runs, is refused. PostgreSQL drops the lock when the holder's connection ends (process killed,
 * host gone), so a crash never leaves the node locked.
 */
public final class NodeLock implements AutoCloseable {

    /** Seeds the lock key apart from the writer's per-transaction chain lock (seed 7 in BatchWriter). */
    private static final int SEED = 15;

    private final Connection connection;

    private NodeLock(Connection connection) {
        this.connection = connection;
    }

    /**
     * Takes the node's lock, or throws {@link AuditKeyException} (NODE_IN_USE) when another process holds it, saying
     * what to do next ({@code nextJa}, {@code nextEn}).
     */
    public static NodeLock acquire(Database db, String nodeId, String nextJa, String nextEn) {
        Connection c = null;
        try {
            c = db.sessionConnection();
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, ?))")) {
                ps.setString(1, "sekisho-audit-node:" + nodeId);
                ps.setInt(2, SEED);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new AuditKeyException(
                                AuditKeyException.NODE_IN_USE,
                                "ノード " + nodeId + " の監査チェーンは稼働中のゲートウェイが使用中です。" + nextJa,
                                "node " + nodeId + "'s audit chain is in use by a running gateway: " + nextEn);
                    }
                }
            }
            return new NodeLock(c);
        } catch (SQLException e) {
            close(c);
            throw new AuditUnavailableException(
                    "cannot take the lock of node " + nodeId + "'s audit chain: " + Database.oneLine(e), e);
        } catch (RuntimeException e) {
            close(c);
            throw e;
        }
    }

    @Override
    public void close() {
        close(connection); // ending the session releases the lock
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the session is gone either way, and with it the lock
            }
        }
    }
}
