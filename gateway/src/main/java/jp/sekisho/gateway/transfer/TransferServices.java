package jp.sekisho.gateway.transfer;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Properties;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.SpoolLimits;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.PolicyServices;

/**
 * Wires the transfer layer of one node: repository, the spool ({@code spool.dir}, checked against
 * the store's spool id), the cluster lock connection, receipt signer, service.
 */
public final class TransferServices {

    private TransferServices() {}

    /** @throws jp.sekisho.gateway.config.ConfigException when the shared spool is not mounted or is another folder */
    public static TransferService start(
            GatewayConfig config, AuditStore store, PolicyServices policy, Clock clock, Metrics metrics) {
        ReceiptSigner signer = new ReceiptSigner(store.signingKey());
        SpoolLimits limits = SpoolLimits.from(config.raw().get("spool"), config.source());
        Path dir = limits.dirIn(config.dataDir());
        Spool spool = new Spool(dir, limits, config.nodeId());
        Database db = store.database();
        String spoolId = SpoolIdentity.establish(dir, db.dataSource(), config.nodeId());
        TransferRepository repo = new TransferRepository(db.dataSource());
        return new TransferService(
                        config.nodeId(),
                        repo,
                        spool,
                        spoolId,
                        () -> dedicated(db, "sekisho-locks-" + config.nodeId()),
                        () -> dedicated(db, "sekisho-inbox-" + config.nodeId()),
                        db.config().timeout(),
                        policy.watcher(),
                        new TransferMeter(store.log(), metrics),
                        signer,
                        clock)
                .start();
    }

    /**
     * A connection outside the pool (the advisory locks, the inbox LISTEN), named so an operator sees
     * whose it is in pg_stat_activity.
     */
    private static java.sql.Connection dedicated(Database db, String name) throws java.sql.SQLException {
        StoreConfig cfg = db.config();
        Properties p = new Properties();
        p.setProperty("user", cfg.user());
        if (cfg.password() != null) {
            p.setProperty("password", cfg.password());
        }
        long seconds = Math.max(1, (cfg.timeout().toMillis() + 999) / 1000);
        // bounded like the pool's connections: a frozen server answers AUDIT_UNAVAILABLE, not a hang
        p.setProperty("connectTimeout", Long.toString(seconds));
        p.setProperty("loginTimeout", Long.toString(seconds));
        p.setProperty("socketTimeout", Long.toString(seconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", name);
        return DriverManager.getConnection(db.url(), p);
    }
}
