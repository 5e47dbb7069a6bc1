package jp.sekisho.audit.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import jp.sekisho.audit.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a killed gateway leaves in the embedded store's folder and the next start clears by
 * itself. (The server left running by {@code kill -9} is covered end to end by the gateway's
 * {@code GatewayCrashRestartTest}, which needs a JVM to kill.)
 */
class EmbeddedRecoveryTest {

    @TempDir
    Path dir;

    /** A kill during initdb leaves a half-made cluster and its marker: discarded and made again. */
    @Test
    void aClusterWhoseCreationWasCutIsCreatedAgain() throws Exception {
        Path pg = dir.resolve("data/pg");
        Files.createDirectories(pg.resolve("base/1"));
        Files.writeString(pg.resolve("PG_VERSION"), "16\n");
        Files.writeString(pg.resolve("base/1/1259"), "torn");
        Files.writeString(EmbeddedCluster.initMarker(pg), "12345\n");
        Files.writeString(dir.resolve("data/.pg.pwfile123"), "an old password\n");
        try (Database db = Database.open(StoreConfig.embedded(pg))) {
            assertEquals(1, one(db));
        }
        assertFalse(Files.exists(EmbeddedCluster.initMarker(pg)), "the marker goes once the cluster is complete");
        assertFalse(Files.exists(dir.resolve("data/.pg.pwfile123")), "initdb's password file does not linger");
        try (Database db = Database.open(StoreConfig.embedded(pg))) {
            assertEquals(1, one(db), "a complete cluster is reused, not made again");
        }
    }

    /** A pid file whose pid now belongs to another process (here: this JVM) does not block the start. */
    @Test
    void aStalePidFileNamingAnUnrelatedLiveProcessIsRemoved() throws Exception {
        Path pg = dir.resolve("data/pg");
        try (Database db = Database.open(StoreConfig.embedded(pg))) {
            assertEquals(1, one(db));
        }
        Files.writeString(
                pg.resolve("postmaster.pid"),
                ProcessHandle.current().pid() + "\n" + pg.toAbsolutePath() + "\n1700000000\n5432\n",
                StandardCharsets.US_ASCII);
        try (Database db = Database.open(StoreConfig.embedded(pg))) {
            assertEquals(1, one(db));
        }
    }

    private static int one(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
