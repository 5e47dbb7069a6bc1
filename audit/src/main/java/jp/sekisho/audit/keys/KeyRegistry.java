package jp.sekisho.audit.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.read.EventRowMapper;

/** The table {@code audit_signing_key} (migration V4) and the few chain facts start-up decides by. */
public final class KeyRegistry {

    private KeyRegistry() {}

    /** Every registered key, of one node or (null) of all, oldest first. */
    public static List<RegisteredKey> list(Connection c, String nodeId) throws SQLException {
        String sql = "SELECT node_id, key_id, algorithm, public_key_pem, fingerprint, registered_at, registered_by,"
                + " origin, retired_at FROM audit_signing_key" + (nodeId == null ? "" : " WHERE node_id = ?")
                + " ORDER BY node_id, registered_at, key_id";
        List<RegisteredKey> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (nodeId != null) {
                ps.setString(1, nodeId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime retired = rs.getObject(9, OffsetDateTime.class);
                    out.add(new RegisteredKey(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getObject(6, OffsetDateTime.class).toInstant(),
                            rs.getString(7),
                            KeyOrigin.of(rs.getString(8)),
                            retired == null ? null : retired.toInstant()));
                }
            }
        }
        return out;
    }

    /** Every registered key of every node, oldest first: the key set the store vouches for. */
    public static List<RegisteredKey> list(javax.sql.DataSource ds) {
        try (Connection c = ds.getConnection()) {
            return list(c, null);
        } catch (SQLException e) {
            throw new jp.sekisho.audit.AuditUnavailableException(
                    "audit signing keys unreadable: " + jp.sekisho.audit.db.Database.oneLine(e), e);
        }
    }

    /** The store's registered keys as a key set for verification. */
    public static KeySet keySet(javax.sql.DataSource ds) {
        return KeySet.ofRows(list(ds), "the store's registered signing keys");
    }

    /** The node's active key, or null when none is registered. */
    public static RegisteredKey active(Connection c, String nodeId) throws SQLException {
        for (RegisteredKey k : list(c, nodeId)) {
            if (k.active()) {
                return k;
            }
        }
        return null;
    }

    public static void insert(Connection c, RegisteredKey k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_signing_key (node_id, key_id, algorithm,"
                + " public_key_pem, fingerprint, registered_at, registered_by, origin, retired_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)")) {
            ps.setString(1, k.nodeId());
            ps.setString(2, k.keyId());
            ps.setString(3, k.algorithm());
            ps.setString(4, k.publicKeyPem());
            ps.setString(5, k.fingerprint());
            ps.setObject(6, k.registeredAt().atOffset(ZoneOffset.UTC));
            ps.setString(7, k.registeredBy());
            ps.setString(8, k.origin().stored());
            ps.executeUpdate();
        }
    }

    /** Marks the node's key retired (once: the table's trigger refuses any other change). */
    public static void retire(Connection c, String nodeId, String keyId, Instant when) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE audit_signing_key SET retired_at = ? WHERE node_id = ? AND key_id = ? AND retired_at IS NULL")) {
            ps.setObject(1, when.atOffset(ZoneOffset.UTC));
            ps.setString(2, nodeId);
            ps.setString(3, keyId);
            ps.executeUpdate();
        }
    }

    /** True when the node has written at least one event: its chain exists. */
    public static boolean hasEvents(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_event WHERE node_id = ? LIMIT 1")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The node's newest signed checkpoint, or null. */
    public static Checkpoint latestCheckpoint(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT node_id, seq, time, hash, key_id, algorithm, signature"
                + " FROM audit_checkpoint WHERE node_id = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return EventRowMapper.checkpoint(rs);
            }
        }
    }
}
