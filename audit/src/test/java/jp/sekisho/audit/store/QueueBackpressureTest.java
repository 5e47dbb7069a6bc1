package jp.sekisho.audit.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import jp.sekisho.audit.AuditPrincipal;
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
 * A full queue means a busy store, not a dead one. The store here is slow but alive: a statement
 * trigger makes every batch's COPY take 200 ms on the server, a fifth of the 1 s write timeout, and
 * eight producers keep the tiny queue full for many write timeouts in a row. Callers wait for room,
 * single callers longer than the write timeout (the old rule refused them then), a {@code commit()}
 * waits for its batch behind the backlog longer than the write timeout, and nobody is refused.
 * The stalled and the down store are StalledBatchTest's and StoreOutageTest's.
 */
class QueueBackpressureTest {

    private static final int CAPACITY = 5;
    private static final int MAX_BATCH = 2;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    private static final int PRODUCERS = 8;
    private static final int EACH = 5;

    @TempDir
    Path dir;

    @Test
    void aSlowButProgressingStoreSlowsCallersDownAndRefusesNobody() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                        .withOwner("postgres", null))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings = new AuditSettings(
                    "busy", dir.resolve("k.key"), 1000, Duration.ofSeconds(60), CAPACITY, WRITE_TIMEOUT, MAX_BATCH);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            List<Throwable> refusals = new ArrayList<>();
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                log.commit(StoreOutageTest.event("first"));
                acknowledged.add("first");
                slowDownEveryBatch(pg, 0.2);

                AtomicLong slowestRecordMs = new AtomicLong();
                ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
                List<Future<?>> running = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < PRODUCERS; t++) {
                    int producer = t;
                    running.add(producers.submit(() -> {
                        for (int i = 0; i < EACH; i++) {
                            String id = "slow-" + producer + "-" + i;
                            long start = System.nanoTime();
                            log.record(StoreOutageTest.event(id));
                            slowestRecordMs.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                            acknowledged.add(id);
                        }
                        return null;
                    }));
                }
                // a durable write that arrives when the queue is full: room first, then its batch behind the others
                await("the producers fill the queue")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> log.queued() == CAPACITY);
                long c0 = System.nanoTime();
                RecordedEvent committed = log.commit(StoreOutageTest.event("behind-the-backlog"));
                long commitMs = (System.nanoTime() - c0) / 1_000_000;
                acknowledged.add("behind-the-backlog");
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        refusals.add(e.getCause());
                    }
                }
                producers.shutdown();
                long totalMs = (System.nanoTime() - t0) / 1_000_000;

                System.err.printf(
                        "busy store: %d ms in all, slowest record() %d ms, commit() %d ms%n",
                        totalMs, slowestRecordMs.get(), commitMs);
                assertEquals(List.of(), refusals, "a store that keeps committing refuses nobody");
                assertTrue(
                        totalMs > 3 * WRITE_TIMEOUT.toMillis(),
                        "the queue stayed full for several write timeouts: " + totalMs + " ms");
                assertTrue(
                        slowestRecordMs.get() > WRITE_TIMEOUT.toMillis(),
                        "a record() waited for room longer than the write timeout, and got in: " + slowestRecordMs
                                + " ms");
                // how long commit() waits depends on how it races the producers for room; what it must
                // show is that, queued behind a backlog, it is written, not refused (refusals is empty)
                assertTrue(committed.seq() > 1, "and it is in the chain: #" + committed.seq());

                log.flush(Duration.ofSeconds(30));
                AuditReader reader = new AuditReader(db.dataSource(), log);
                AuditPrincipal who = new AuditPrincipal("CN=test", null, null);
                VerifyResult v = reader.verify(key.publicKey(), "busy", who);
                assertInstanceOf(VerifyResult.Ok.class, v, "the chain is whole: " + v);
                List<String> stored = new ArrayList<>();
                for (RecordedEvent r : reader.search(
                        AuditQuery.all().node("busy").types(Set.of(EventType.CONNECTION_ACCEPTED)), who)) {
                    stored.add(r.event().requestId());
                }
                assertEquals(acknowledged, Set.copyOf(stored), "exactly the acknowledged events are stored");
                assertEquals(PRODUCERS * EACH + 2, stored.size(), "none twice: " + stored);
            }
        }
    }

    /** Every COPY into audit_event now takes {@code seconds} longer on the server: a busy, not a broken, store. */
    static void slowDownEveryBatch(ExternalPostgres pg, double seconds) throws Exception {
        try (Connection c = pg.superuser();
                Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION test_slow_batch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep("
                    + seconds + "); RETURN NULL; END $$");
            s.execute("CREATE TRIGGER test_slow_batch AFTER INSERT ON audit_event FOR EACH STATEMENT "
                    + "EXECUTE FUNCTION test_slow_batch()");
        }
    }
}
