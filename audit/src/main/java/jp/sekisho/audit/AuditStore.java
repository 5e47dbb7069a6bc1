package jp.sekisho.audit;

import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.keys.AuditKeyException;
import jp.sekisho.audit.keys.NodeLock;
import jp.sekisho.audit.keys.StartupKeys;
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
    private final NodeLock nodeLock;

    private AuditStore(Database database, AuditSigningKey signingKey, PostgresAuditLog log, NodeLock nodeLock) {
        this.database = database;
        this.signingKey = signingKey;
        this.log = log;
        this.reader = new AuditReader(database.dataSource(), log);
        this.nodeLock = nodeLock;
    }

    /**
     * Opens the store described by the gateway configuration file's audit sections for the gateway itself: holds the
     * node's lock (one running writer per node id) and settles its signing key ({@link StartupKeys}).
     */
    public static AuditStore open(AuditConfig config) {
        return open(config.store(), config.audit());
    }

    /**
     * Throws {@link AuditUnavailableException} with a one-line reason when the store cannot be opened, and
     * {@link AuditKeyException} when the node's signing key is missing or not its registered one.
     */
    public static AuditStore open(StoreConfig store, AuditSettings settings) {
        return open(store, settings, true);
    }

    /**
     * As {@link #open(AuditConfig)} for a command-line tool beside a running gateway (search, export, verify): the
     * same key checks, without the node's lock.
     */
    public static AuditStore openBeside(AuditConfig config) {
        return open(config.store(), config.audit(), false);
    }

    private static AuditStore open(StoreConfig store, AuditSettings settings, boolean holdNode) {
        Database db = Database.open(store);
        NodeLock lock = null;
        try {
            if (holdNode) {
                lock = NodeLock.acquire(
                        db,
                        settings.nodeId(),
                        "同じ node-id のゲートウェイを二つ起動することはできません",
                        "two gateways cannot write one chain: give each"
                                + " node its own node-id, or stop the other one first");
            }
            StartupKeys.Decision keys = StartupKeys.decide(db, settings.nodeId(), settings.signingKey());
            PostgresAuditLog log = PostgresAuditLog.open(db, settings, keys.key());
            try {
                StartupKeys.register(keys, settings.nodeId(), log, db);
            } catch (RuntimeException e) {
                log.close();
                throw e;
            }
            return new AuditStore(db, keys.key(), log, lock);
        } catch (RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
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
            if (nodeLock != null) {
                nodeLock.close();
            }
            database.close();
        }
    }
}
