package jp.sekisho.audit.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start-up which signing key node N writes with, against the registry and N's chain. Never makes a new
 * key for a node whose chain exists: that would leave a chain no single key verifies, which reads as tampering.
 * <ul>
 *   <li>key file missing, N's chain or registration exists: {@code AUDIT_KEY_MISSING} (restore from backup);
 *   <li>key file present, another key active for N: {@code AUDIT_KEY_MISMATCH};
 *   <li>nothing registered, no events: first start, the key is created (if missing) and registered;
 *   <li>nothing registered, events and a key file: an install from before the registry, adopted once the newest
 *       checkpoint verifies with the file's key (else {@code AUDIT_KEY_MISMATCH}).
 * </ul>
 */
public final class StartupKeys {

    private static final Logger LOG = LoggerFactory.getLogger(StartupKeys.class);

    /** @param register the origin to register the key with once the log is open, or null when registered already */
    public record Decision(AuditSigningKey key, KeyOrigin register) {}

    private StartupKeys() {}

    public static Decision decide(Database db, String nodeId, Path keyFile) {
        try (Connection c = db.dataSource().getConnection()) {
            RegisteredKey active = KeyRegistry.active(c, nodeId);
            boolean chain = KeyRegistry.hasEvents(c, nodeId);
            if (!Files.exists(keyFile)) {
                if (active != null || chain) {
                    throw missing(nodeId, keyFile);
                }
                AuditSigningKey created = AuditSigningKey.loadOrCreate(keyFile);
                return new Decision(created, KeyOrigin.FIRST_START);
            }
            AuditSigningKey key = AuditSigningKey.load(keyFile);
            if (active != null) {
                if (!active.keyId().equals(key.keyId())) {
                    throw mismatch(
                            nodeId,
                            keyFile,
                            key.keyId(),
                            "登録済みの鍵は " + active.keyId(),
                            "the key registered " + "for it is " + active.keyId());
                }
                return new Decision(key, null);
            }
            if (!chain) {
                return new Decision(key, KeyOrigin.FIRST_START);
            }
            Checkpoint last = KeyRegistry.latestCheckpoint(c, nodeId);
            if (last == null || !AuditSigningKey.verify(key.publicKey(), last)) {
                throw mismatch(
                        nodeId,
                        keyFile,
                        key.keyId(),
                        last == null ? "照合できる署名済みチェックポイントがありません" : "最新のチェックポイントは鍵 " + last.keyId() + " の署名です",
                        last == null
                                ? "the chain has no signed checkpoint to check it against"
                                : "its newest checkpoint (#" + last.seq() + ") is signed by key " + last.keyId());
            }
            return new Decision(key, KeyOrigin.ADOPTED);
        } catch (SQLException e) {
            throw new AuditUnavailableException("audit signing keys unreadable: " + Database.oneLine(e), e);
        } catch (IOException e) {
            throw new AuditUnavailableException("audit signing key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Registers the decided key: first the event in the node's own chain, then the registry row, so a row never
     * exists without its event (a crash in between leaves an unregistered key, adopted at the next start).
     */
    public static void register(Decision d, String nodeId, AuditLog log, Database db) {
        if (d.register() != null) {
            log.commit(KeyEvents.registered(nodeId, d.key().publicKey(), d.register()));
            try (Connection c = db.dataSource().getConnection()) {
                KeyRegistry.insert(
                        c,
                        RegisteredKey.of(
                                nodeId,
                                d.key().publicKey(),
                                d.register(),
                                nodeId + "/" + KeyEvents.osUser(),
                                Instant.now()));
            } catch (SQLException e) {
                throw new AuditUnavailableException(
                        "cannot register audit signing key " + d.key().keyId() + " of node " + nodeId + ": "
                                + Database.oneLine(e),
                        e);
            }
        }
        LOG.info(
                "audit signing key of node {}: {} ({}). 監査署名鍵は必ずバックアップしてください / back this key file up: "
                        + "without it this node cannot continue its chain (restore it, or rotate with sekisho audit "
                        + "rotate-key)",
                nodeId,
                d.key().keyId(),
                d.register() == null
                        ? "registered"
                        : "registered now, " + d.register().stored());
    }

    static AuditKeyException missing(String nodeId, Path keyFile) {
        return new AuditKeyException(
                AuditKeyException.MISSING,
                "監査署名鍵 " + keyFile + " がありません。ノード " + nodeId + " の監査チェーンは既に存在します。バックアップから鍵を復元してください"
                        + "(意図的に鍵を替える場合は sekisho audit rotate-key)",
                "the audit signing key " + keyFile + " is missing but node " + nodeId + "'s audit chain exists: "
                        + "restore the key from backup (to replace it on purpose: sekisho audit rotate-key)");
    }

    static AuditKeyException mismatch(String nodeId, Path keyFile, String fileKeyId, String ja, String en) {
        return new AuditKeyException(
                AuditKeyException.MISMATCH,
                "監査署名鍵 " + keyFile + " (鍵 " + fileKeyId + ") はノード " + nodeId + " の鍵ではありません (" + ja
                        + ")。正しい鍵をバックアップから戻してください (意図的に鍵を替える場合は sekisho audit rotate-key)",
                "the audit signing key " + keyFile + " (key " + fileKeyId + ") is not node " + nodeId + "'s key (" + en
                        + "): put the right key back from backup (to replace it on purpose: sekisho audit rotate-key)");
    }
}
