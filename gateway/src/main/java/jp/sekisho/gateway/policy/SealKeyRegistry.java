package jp.sekisho.gateway.policy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import javax.sql.DataSource;
import jp.sekisho.gateway.config.ConfigException;

/**
 * Every node of one installation must seal with the same key. The first node records the key's id
 * (never the key) in the shared database; a node that starts with another key — not copied from
 * the others, or lost and made anew — stops at start with one line, instead of reading every
 * approval as tampered and sealing rows that the other nodes would then reject.
 */
final class SealKeyRegistry {

    private SealKeyRegistry() {}

    /** Who recorded the installation's key, and which. */
    record Registered(String keyId, Instant at, String by) {}

    /**
     * Records {@code seal}'s key id when none is recorded yet, else checks it.
     *
     * @throws ConfigException (a start-up configuration error, exit 2) when another key is recorded
     */
    static Registered check(DataSource ds, PolicySeal seal, String node, Clock clock) {
        Registered r;
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO installation_key (kind, key_id, registered_at,"
                    + " registered_by) VALUES ('policy-seal', ?, ?, ?) ON CONFLICT (kind) DO NOTHING")) {
                ps.setString(1, seal.keyId());
                ps.setTimestamp(2, Timestamp.from(clock.instant()));
                ps.setString(3, "node " + node);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT key_id, registered_at, registered_by FROM installation_key WHERE kind = 'policy-seal'");
                    ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PolicyStoreException("the policy seal key id was not recorded", null);
                }
                r = new Registered(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3));
            }
        } catch (SQLException e) {
            throw new PolicyStoreException("cannot check the policy seal key: " + e.getMessage(), e);
        }
        if (!r.keyId().equals(seal.keyId())) {
            throw new ConfigException("封印鍵 " + seal.file() + " (id " + seal.keyId() + ") はこのデータベースの承認を封印した鍵"
                    + " (id " + r.keyId() + ", " + r.by() + " が登録) ではありません。同じ設置の他のノードから approvals.seal-key"
                    + " をコピーするか、バックアップから復元してください / the policy seal key " + seal.file() + " (id "
                    + seal.keyId() + ") is not the key this database's approvals are sealed with (id " + r.keyId()
                    + ", registered by " + r.by() + " at " + r.at() + "): copy approvals.seal-key from another node of"
                    + " this installation, or restore it from backup; with another key every approval would read as"
                    + " tampered (SEAL_KEY_MISMATCH)");
        }
        return r;
    }
}
