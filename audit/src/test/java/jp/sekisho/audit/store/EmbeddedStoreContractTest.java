package jp.sekisho.audit.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on the embedded default: a real PostgreSQL started from a data folder. */
class EmbeddedStoreContractTest extends AuditStoreContract {

    static Path dir;
    static Database db;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("sekisho-audit-embedded");
        db = Database.open(StoreConfig.embedded(dir.resolve("pg")));
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    Database database() {
        return db;
    }

    @Override
    Connection superuser() throws SQLException {
        // the superuser's password from the store's secrets file, as an administrator would use it
        return DriverManager.getConnection(db.url(), "postgres", db.config().ownerPassword());
    }

    @Override
    Path keyDir() {
        return dir;
    }
}
