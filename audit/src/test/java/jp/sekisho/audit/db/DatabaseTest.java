package jp.sekisho.audit.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.support.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: persists across restarts, refuses a second start, fails in one line. */
class DatabaseTest {

    @TempDir
    Path dir;

    @Test
    void embeddedStoreKeepsItsChainAcrossRestartsAndRefusesASecondInstance() {
        StoreConfig cfg = StoreConfig.embedded(dir.resolve("data/pg"));
        AuditSettings settings = AuditSettings.defaults("gw1", dir.resolve("data"));
        try (AuditStore store = AuditStore.open(cfg, settings)) {
            // #1 is the node's AUDIT_KEY_REGISTERED, written at its first start
            assertEquals(2, store.log().commit(TestEvents.allowed(1)).seq());
            AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> Database.open(cfg));
            assertTrue(
                    e.getMessage()
                            .contains("in use by a running gateway (pid "
                                    + ProcessHandle.current().pid()),
                    e.getMessage());
        }
        try (AuditStore store = AuditStore.open(cfg, settings)) {
            assertEquals(3, store.log().commit(TestEvents.allowed(2)).seq(), "same data folder, same chain");
        }
    }

    /** zonky starts PostgreSQL for tests (fsync off); an audit log must survive a power cut. */
    @Test
    void embeddedStoreIsDurable() throws Exception {
        try (Database db = Database.open(StoreConfig.embedded(dir.resolve("durable/pg")));
                java.sql.Connection c = db.dataSource().getConnection();
                java.sql.Statement st = c.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (java.sql.ResultSet rs = st.executeQuery("SHOW " + setting)) {
                    rs.next();
                    assertEquals("on", rs.getString(1), setting);
                }
            }
        }
    }

    @Test
    void embeddedStartFailureIsOneLineNamingTheAlternative() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        AuditUnavailableException e = assertThrows(
                AuditUnavailableException.class, () -> Database.open(StoreConfig.embedded(notADir.resolve("pg"))));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("embedded PostgreSQL could not start in "), e.getMessage());
        assertTrue(e.getMessage().contains("set store.url"), e.getMessage());
    }
}
