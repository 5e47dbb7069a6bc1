package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.chain.CanonicalEncoding;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import org.junit.jupiter.api.Test;

/**
 * A batch whose COPY stalls past the network timeout (here: its month partition is locked by another
 * session) fails, and the connection it leaves behind must not go back to the pool: the driver does
 * not close it after a timed-out COPY, and the next batch on it would read the stale answers.
 */
class StalledBatchTest {

    @Test
    void aTimedOutCopyDoesNotPoisonThePool() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
             Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                     .withOwner("postgres", null))) {
            BatchWriter writer = new BatchWriter(db.dataSource(), "stall", Duration.ofSeconds(1));
            try (Connection c = db.dataSource().getConnection()) {
                writer.prepare(c);
            }
            writer.write(batch(0, 3), 0, 1000, false);
            String partition = "audit_event_" + DateTimeFormatter.ofPattern("yyyyMM").format(Instant.now().atOffset(ZoneOffset.UTC));
            try (Connection blocker = pg.superuser(); Statement s = blocker.createStatement()) {
                blocker.setAutoCommit(false);
                s.execute("LOCK TABLE " + partition + " IN SHARE MODE");
                // released just after the writer gave up on the COPY, while it is rolling back: the
                // COPY's late answers then arrive on a connection the driver still deems usable
                Thread release = new Thread(() -> {
                    try {
                        Thread.sleep(1400);
                        blocker.rollback();
                    } catch (InterruptedException | SQLException ignored) {
                        // the assertions below tell
                    }
                });
                release.start();
                assertThrows(SQLException.class, () -> writer.write(batch(3, 3), 0, 1000, false));
                release.join();
            }
            // every pooled connection must work again; a stale one fails with the COPY's leftover answers
            for (int i = 0; i < 10; i++) {
                writer.write(batch(3 + 3 * i, 3), 0, 1000, false);
            }
            try (Connection c = pg.superuser(); Statement s = c.createStatement();
                 var rs = s.executeQuery("SELECT count(*), max(seq) FROM audit_event WHERE node_id = 'stall'")) {
                rs.next();
                assertEquals(33, rs.getLong(1), "the stalled batch was rolled back, the others written once");
                assertEquals(33, rs.getLong(2));
            }
        }
    }

    private static List<Pending> batch(int from, int n) {
        List<Pending> b = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            Pending p = new Pending(TestEvents.allowed(i), CanonicalEncoding.truncate(Instant.now()), null);
            p.take();
            b.add(p);
        }
        return b;
    }
}
