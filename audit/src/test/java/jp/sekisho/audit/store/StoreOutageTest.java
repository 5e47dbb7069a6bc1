package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.support.PrivatePostgres;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail closed: with PostgreSQL stopped, writes fail fast with AUDIT_UNAVAILABLE; when it is back the
 * log recovers by itself and every acknowledged event is in an unbroken chain.
 */
class StoreOutageTest {

    @TempDir
    Path dir;

    static AuditEvent event(String id) {
        return AuditEvent.of(EventType.CONNECTION_ACCEPTED, Outcome.ALLOW).requestId(id).source("192.0.2.1", 1234).build();
    }

    @Test
    void storeDownMeansAuditUnavailableWithinTheTimeoutAndRecoveryWithoutGap() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create();
             Database db = Database.open(StoreConfig.external(pg.url("postgres"), "sekisho_app", null)
                     .withOwner("postgres", null).withTimeout(Duration.ofSeconds(2)))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings = AuditSettings.defaults("outage", dir).withCheckpoints(5, Duration.ofSeconds(60));
            Set<String> acknowledged = new HashSet<>();
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                for (int i = 0; i < 10; i++) {
                    log.commit(event("before-" + i));
                    acknowledged.add("before-" + i);
                }
                pg.stop();
                // accepted before the writer notices the outage: acknowledged, so they must survive it
                int accepted = 0;
                for (int i = 0; i < 5; i++) {
                    try {
                        log.record(event("queued-" + i));
                        acknowledged.add("queued-" + i);
                        accepted++;
                    } catch (AuditUnavailableException noticed) {
                        break; // the writer found the store down: refusing from now on is right
                    }
                }
                assertTrue(accepted >= 1, "the first record() is queued before anything could notice");
                long t0 = System.nanoTime();
                assertThrows(AuditUnavailableException.class, () -> log.commit(event("refused")));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms <= 2600, "commit() gave up within the 2 s timeout (+ slack): " + ms + " ms");
                Thread.sleep(300);
                assertFalse(log.isAvailable());
                long t1 = System.nanoTime();
                AuditUnavailableException ex = assertThrows(AuditUnavailableException.class, () -> log.record(event("refused-2")));
                assertTrue((System.nanoTime() - t1) / 1_000_000 < 100, "refused at once while down");
                assertEquals("AUDIT_UNAVAILABLE", AuditUnavailableException.REASON, ex.getMessage());

                pg.start();
                RecordedEvent after = null;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (after == null && System.nanoTime() < deadline) {
                    try {
                        after = log.commit(event("after"));
                    } catch (AuditUnavailableException stillDown) {
                        Thread.sleep(200);
                    }
                }
                assertTrue(after != null, "the log recovered by itself");
                acknowledged.add("after");
                log.flush(Duration.ofSeconds(10));

                AuditReader reader = new AuditReader(db.dataSource(), log);
                AuditPrincipal who = new AuditPrincipal("CN=test", null, null);
                VerifyResult v = reader.verify(key.publicKey(), "outage", who);
                assertTrue(v instanceof VerifyResult.Ok, "no gap in the chain: " + v);
                List<String> stored = new ArrayList<>();
                for (RecordedEvent r : reader.search(AuditQuery.all().node("outage").types(Set.of(EventType.CONNECTION_ACCEPTED)), who)) {
                    stored.add(r.event().requestId());
                }
                assertTrue(stored.containsAll(acknowledged), "every acknowledged event is stored: " + stored);
                assertEquals(stored.size(), new HashSet<>(stored).size(), "none twice: " + stored);
                assertFalse(stored.contains("refused-2"), "a refused record() is not written");
            }
        }
    }
}
