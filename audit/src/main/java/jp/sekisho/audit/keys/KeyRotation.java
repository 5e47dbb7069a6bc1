package jp.sekisho.audit.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;

/**
 * {@code sekisho audit rotate-key}: replaces node N's signing key on purpose, while N is stopped. The new key is
 * staged beside the old one, AUDIT_KEY_ROTATED is appended to N's chain (signed over by the old key when its file
 * is there), the registry retires the old key and registers the new one, a checkpoint is signed with the new key,
 * and only then are the files swapped (the old one kept as {@code audit-signing.key.retired-KEYID}). A rotation cut
 * short after the registry changed is finished by the next run (the staged key is the registered one).
 */
public final class KeyRotation {

    /**
     * @param oldKeyId the retired key, or {@link KeyEvents#LOST} when not even its id was known
     * @param seq      the AUDIT_KEY_ROTATED event, or 0 when this run only finished an interrupted rotation's file
     *                 swap (its event was written by the run that was interrupted)
     */
    public record Rotated(
            String nodeId, String oldKeyId, boolean signed, String newKeyId, String fingerprint, long seq) {}

    private KeyRotation() {}

    public static Rotated rotate(AuditConfig config, String reason, String operator) {
        AuditSettings settings = config.audit();
        String node = settings.nodeId();
        Path keyFile = settings.signingKey();
        Path staged = keyFile.resolveSibling(keyFile.getFileName() + ".new");
        try (Database db = Database.open(config.store());
                NodeLock lock = NodeLock.acquire(
                        db, node, "ゲートウェイを停止してから鍵を替えてください", "stop this node's gateway first, then rotate its key")) {
            RegisteredKey active;
            try (Connection c = db.dataSource().getConnection()) {
                active = KeyRegistry.active(c, node);
            }
            if (Files.exists(staged)) {
                AuditSigningKey interrupted = AuditSigningKey.load(staged);
                if (active != null && active.keyId().equals(interrupted.keyId())) {
                    swap(keyFile, staged);
                    return new Rotated(node, KeyEvents.LOST, false, active.keyId(), active.fingerprint(), 0);
                }
                Files.delete(staged); // never registered: the rotation stopped before the chain knew of it
                Files.deleteIfExists(AuditSigningKey.publicKeyPath(staged));
            }
            AuditSigningKey old = Files.exists(keyFile) ? AuditSigningKey.load(keyFile) : null;
            if (old != null && active != null && !active.keyId().equals(old.keyId())) {
                throw StartupKeys.mismatch(
                        node,
                        keyFile,
                        old.keyId(),
                        "登録済みの鍵は " + active.keyId() + "。失われた鍵として替える場合はこのファイルを移動してください",
                        "the key registered for it is " + active.keyId()
                                + "; to rotate it as lost, move this file away");
            }
            String oldKeyId = old != null ? old.keyId() : active != null ? active.keyId() : KeyEvents.LOST;
            AuditSigningKey next = AuditSigningKey.generate();
            next.writeTo(staged);
            long seq;
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, next)) {
                RecordedEvent e =
                        log.commit(KeyEvents.rotated(node, oldKeyId, old, next.publicKey(), reason, operator));
                seq = e.seq();
                try (Connection c = db.dataSource().getConnection()) {
                    c.setAutoCommit(false);
                    Instant now = Instant.now();
                    if (active != null) {
                        KeyRegistry.retire(c, node, active.keyId(), now);
                    }
                    KeyRegistry.insert(
                            c,
                            RegisteredKey.of(node, next.publicKey(), KeyOrigin.ROTATION, node + "/" + operator, now));
                    c.commit();
                }
                log.flush(Duration.ofSeconds(30)); // the checkpoint sealing the rotation, signed by the new key
            }
            swap(keyFile, staged);
            return new Rotated(
                    node, oldKeyId, old != null, next.keyId(), AuditSigningKey.fingerprint(next.publicKey()), seq);
        } catch (SQLException e) {
            throw new AuditUnavailableException("audit signing keys: " + Database.oneLine(e), e);
        } catch (IOException e) {
            throw new AuditUnavailableException("audit signing key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** Keeps the old key (0600) as {@code NAME.retired-KEYID} and puts the staged key in its place. */
    private static void swap(Path keyFile, Path staged) throws IOException {
        Path pub = AuditSigningKey.publicKeyPath(keyFile);
        if (Files.exists(keyFile)) {
            String oldId = AuditSigningKey.load(keyFile).keyId();
            Path retired = keyFile.resolveSibling(keyFile.getFileName() + ".retired-" + oldId);
            Files.move(keyFile, retired, StandardCopyOption.ATOMIC_MOVE);
            Files.setPosixFilePermissions(retired, PosixFilePermissions.fromString("rw-------"));
            if (Files.exists(pub)) {
                Files.move(
                        pub,
                        pub.resolveSibling(pub.getFileName() + ".retired-" + oldId),
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.move(
                AuditSigningKey.publicKeyPath(staged),
                pub,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.move(staged, keyFile, StandardCopyOption.ATOMIC_MOVE);
    }
}
