package jp.sekisho.audit.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full queue means a busy store, not a dead one: callers wait for room instead of failing, and
 * fail closed only when the writer stays stuck for the whole write timeout. The writer is held up
 * by locking its month partition from another session, so its COPY waits as on a saturated server.
 */
class QueueBackpressureTest {

    private static final int CAPACITY = 5;

    @TempDir
    Path dir;

    @Test
    void aFullQueueSlowsCallersDownAndFailsClosedOnlyAfterTheWriteTimeout() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
             Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                     .withOwner("postgres", null))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings = AuditSettings.defaults("busy", dir).withQueueCapacity(CAPACITY)
                    .withWriteTimeout(Duration.ofSeconds(2));
            Set<String> acknowledged = new HashSet<>();
            Set<String> refused = new HashSet<>();
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                log.commit(StoreOutageTest.event("first"));
                acknowledged.add("first");

                // 1. The writer is stuck for less than the write timeout: every record() gets in.
                try (Connection blocker = pg.superuser(); Statement s = blocker.createStatement()) {
                    blocker.setAutoCommit(false);
                    s.execute("LOCK TABLE " + partition() + " IN SHARE MODE");
                    // the writer stalls on its first batch, which takes at most CAPACITY events;
                    // another CAPACITY fill the queue, so one of the 3 * CAPACITY must wait
                    AtomicLong slowestMs = new AtomicLong();
                    AtomicReference<RuntimeException> refusal = new AtomicReference<>();
                    Thread producer = new Thread(() -> {
                        try {
                            for (int i = 0; i < 3 * CAPACITY; i++) {
                                long t0 = System.nanoTime();
                                log.record(StoreOutageTest.event("slow-" + i));
                                slowestMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                            }
                        } catch (RuntimeException e) {
                            refusal.set(e);
                        }
                    });
                    producer.start();
                    while (producer.getState() != Thread.State.TIMED_WAITING && producer.isAlive()) {
                        Thread.sleep(10); // until it waits for room
                    }
                    Thread.sleep(500);
                    blocker.rollback();
                    producer.join(10_000);
                    assertNull(refusal.get(), "no record() was refused");
                    assertTrue(slowestMs.get() >= 400, "a record() waited for room: " + slowestMs + " ms");
                    for (int i = 0; i < 3 * CAPACITY; i++) {
                        acknowledged.add("slow-" + i);
                    }
                }
                log.flush(Duration.ofSeconds(10));

                // 2. Stuck for longer: the caller is refused after about the write timeout, not later.
                try (Connection blocker = pg.superuser(); Statement s = blocker.createStatement()) {
                    blocker.setAutoCommit(false);
                    s.execute("LOCK TABLE " + partition() + " IN SHARE MODE");
                    int i = 0;
                    long t0 = System.nanoTime();
                    while (true) {
                        String id = "stuck-" + i++;
                        t0 = System.nanoTime();
                        try {
                            log.record(StoreOutageTest.event(id));
                            acknowledged.add(id);
                        } catch (AuditUnavailableException full) {
                            refused.add(id);
                            break;
                        }
                        assertTrue(i <= 2 * CAPACITY + 1, "the queue holds " + CAPACITY + " events, the writer one batch");
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(ms >= 1900 && ms <= 2600, "record() gave up after the 2 s write timeout: " + ms + " ms");
                    long t1 = System.nanoTime();
                    assertThrows(AuditUnavailableException.class, () -> log.commit(StoreOutageTest.event("stuck-commit")));
                    refused.add("stuck-commit");
                    long commitMs = (System.nanoTime() - t1) / 1_000_000;
                    assertTrue(commitMs <= 2600, "commit() gave up within the 2 s write timeout: " + commitMs + " ms");
                    blocker.rollback();
                }
                log.commit(StoreOutageTest.event("last"));
                acknowledged.add("last");
                log.flush(Duration.ofSeconds(10));

                AuditReader reader = new AuditReader(db.dataSource(), log);
                AuditPrincipal who = new AuditPrincipal("CN=test", null, null);
                VerifyResult v = reader.verify(key.publicKey(), "busy", who);
                assertTrue(v instanceof VerifyResult.Ok, "the chain is whole: " + v);
                List<String> stored = new ArrayList<>();
                for (RecordedEvent r : reader.search(AuditQuery.all().node("busy").types(Set.of(EventType.CONNECTION_ACCEPTED)), who)) {
                    stored.add(r.event().requestId());
                }
                assertEquals(acknowledged, new HashSet<>(stored), "exactly the acknowledged events are stored");
                assertEquals(stored.size(), acknowledged.size(), "none twice: " + stored);
                assertFalse(refused.isEmpty(), "the stuck writer refused something");
                assertTrue(Collections.disjoint(refused, stored), "no refused event is stored: " + refused);
            }
        }
    }

    private static String partition() {
        return "audit_event_" + DateTimeFormatter.ofPattern("yyyyMM").format(Instant.now().atOffset(ZoneOffset.UTC));
    }
}
