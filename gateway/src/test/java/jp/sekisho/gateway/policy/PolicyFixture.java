package jp.sekisho.gateway.policy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.support.ExternalPostgres;

/**
 * The real stores a gateway node runs on, in a fresh database on 127.0.0.1:5432: the audit store
 * (as the INSERT/SELECT-only application role) and the policy tables beside it.
 */
public final class PolicyFixture implements AutoCloseable {

    private final ExternalPostgres pg;
    private final AuditStore audit;
    private final PolicySeal seal;

    public PolicyFixture(Path dir) {
        try {
            pg = ExternalPostgres.create();
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL on 127.0.0.1:5432 is needed (.ci/run starts it): " + e.getMessage(), e);
        }
        audit = AuditStore.open(
                StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null).withOwner("postgres", null),
                AuditSettings.defaults("test-node", dir).withCheckpoints(100, Duration.ofSeconds(5)));
        PolicySchema.migrate(audit.database());
        try {
            seal = PolicySeal.loadOrCreate(dir.resolve("policy-seal.key"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The seal key of this node (data-dir/policy-seal.key). */
    public PolicySeal seal() {
        return seal;
    }

    public DataSource dataSource() {
        return audit.database().dataSource();
    }

    /** A connection as the database owner (postgres), for tests that play an administrator. */
    public java.sql.Connection superuser() throws SQLException {
        return pg.superuser();
    }

    public AuditStore audit() {
        return audit;
    }

    public PolicyWatcher watcher(Duration poll) {
        return new PolicyWatcher(dataSource(), seal, new TamperAlarm(audit.log()), Clock.systemUTC(), poll);
    }

    @Override
    public void close() throws SQLException {
        audit.close();
        pg.close();
    }
}
