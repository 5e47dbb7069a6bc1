package jp.sekisho.gateway.policy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import org.flywaydb.core.Flyway;

/**
 * The gateway's own tables (approvals, decision history, routes, transfers) live in the audit store's
 * database, migrated by the same owner role, with their own migration history. The application
 * role may change approvals and routes but only append to the decision history.
 */
public final class PolicySchema {

    private PolicySchema() {}

    public static void migrate(Database db) {
        StoreConfig cfg = db.config();
        Flyway.configure()
                .dataSource(db.url(), cfg.ownerUser(), cfg.ownerPassword())
                .locations("classpath:db/migration/gateway")
                .table("gateway_schema_history")
                // the audit tables are already there: start our own history at 0 so V1 still runs
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .connectRetries(0)
                .load()
                .migrate();
        if (cfg.ownerUser().equals(cfg.user())) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("user", cfg.ownerUser());
        if (cfg.ownerPassword() != null) {
            p.setProperty("password", cfg.ownerPassword());
        }
        String role = Database.quoteIdent(cfg.user());
        try (Connection c = DriverManager.getConnection(db.url(), p);
                Statement s = c.createStatement()) {
            s.execute("GRANT SELECT, INSERT, UPDATE ON approval, route, relay_route TO " + role);
            s.execute("GRANT SELECT, INSERT, DELETE ON route_party TO " + role);
            s.execute("GRANT SELECT, INSERT ON approval_decision TO " + role);
            s.execute("GRANT USAGE ON SEQUENCE approval_decision_id_seq TO " + role);
            // transfers change state but are never deleted: the row is the record of what passed
            s.execute("GRANT SELECT, INSERT, UPDATE ON transfer TO " + role);
            // a key id is recorded once and never changed by a node
            s.execute("GRANT SELECT, INSERT ON installation_key TO " + role);
            // the shared spool's id is written once by the first node and never changed
            s.execute("GRANT SELECT, INSERT ON spool_identity TO " + role);
            // a deletion report is evidence: stored once as received, never changed or deleted by a node;
            // the council report reads them (V11)
            s.execute("GRANT SELECT, INSERT ON deletion_report TO " + role);
        } catch (SQLException e) {
            throw new PolicyStoreException(
                    "cannot grant the policy tables to " + cfg.user() + ": " + e.getMessage(), e);
        }
    }
}
