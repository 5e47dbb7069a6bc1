package jp.sekisho.audit;

import java.io.IOException;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.store.PostgresAuditLog;

/**
 * The audit store as the gateway uses it: database, signing key, log and reader, opened together
 * and closed in the right order (the log writes its queue and a final checkpoint before the
 * database goes).
 */
public final class AuditStore implements AutoCloseable {

    private final Database database;
    private final AuditSigningKey signingKey;
    private final PostgresAuditLog log;
    private final AuditReader reader;

    private AuditStore(Database database, AuditSigningKey signingKey, PostgresAuditLog log) {
        this.database = database;
        this.signingKey = signingKey;
        this.log = log;
        this.reader = new AuditReader(database.dataSource(), log);
    }

    /** Opens the store described by the gateway configuration file's audit sections. */
    public static AuditStore open(AuditConfig config) {
        return open(config.store(), config.audit());
    }

    /** Throws {@link AuditUnavailableException} with a one-line reason when the store cannot be opened. */
    public static AuditStore open(StoreConfig store, AuditSettings settings) {
        AuditSigningKey key;
        try {
            key = AuditSigningKey.loadOrCreate(settings.signingKey());
        } catch (IOException e) {
            throw new AuditUnavailableException(
                    "audit signing key " + settings.signingKey() + ": " + e.getMessage(), e);
        }
        Database db = Database.open(store);
        try {
            return new AuditStore(db, key, PostgresAuditLog.open(db, settings, key));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public AuditLog log() {
        return log;
    }

    /** The log with its operational extras: {@code flush}, {@code isAvailable}. */
    public PostgresAuditLog postgresLog() {
        return log;
    }

    public AuditReader reader() {
        return reader;
    }

    public AuditSigningKey signingKey() {
        return signingKey;
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        try {
            log.close();
        } finally {
            database.close();
        }
    }
}
