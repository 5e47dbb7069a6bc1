package jp.sekisho.audit.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.support.ExternalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on a PostgreSQL server (127.0.0.1:5432), migrations as postgres, writes as the app role. */
class ExternalStoreContractTest extends AuditStoreContract {

    static Path dir;
    static ExternalPostgres pg;
    static Database db;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sekisho-audit-external");
        pg = ExternalPostgres.create();
        db = Database.open(
                StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null).withOwner("postgres", null));
    }

    @AfterAll
    static void stop() throws SQLException {
        if (db != null) {
            db.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    Database database() {
        return db;
    }

    @Override
    Connection superuser() throws SQLException {
        return pg.superuser();
    }

    @Override
    Path keyDir() {
        return dir;
    }
}
