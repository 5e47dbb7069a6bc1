package jp.sekisho.audit.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.CanonicalEncoding;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stalled store: the writer's batch hangs because another session locks the month partition, so
 * nothing commits although PostgreSQL answers. Callers must then be refused within a bounded time
 * (the write timeout after the writer's last progress), not left waiting; and a batch that times
 * out must not leave a poisoned connection in the pool.
 */
class StalledBatchTest {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    /** Scheduling on two shared cores, the 50 ms recheck, JDBC round trips. */
    private static final long SLACK_MS = 1000;

    @TempDir
    Path dir;

    @Test
    void aStalledStoreRefusesWaitingAndNewCallersWithinTheWriteTimeout() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                        .withOwner("postgres", null))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings =
                    AuditSettings.defaults("stuck", dir).withQueueCapacity(5).withWriteTimeout(WRITE_TIMEOUT);
            Set<String> acknowledged = new HashSet<>();
            Set<String> refused = new HashSet<>();
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                log.commit(StoreOutageTest.event("first"));
                acknowledged.add("first");

                try (Connection blocker = pg.superuser();
                        Statement s = blocker.createStatement()) {
                    blocker.setAutoCommit(false);
                    s.execute("LOCK TABLE " + partition() + " IN SHARE MODE");
                    long t0 = System.nanoTime();
                    // 1. a commit() whose batch the writer takes and cannot write
                    CompletableFuture<Long> stuckCommit = CompletableFuture.supplyAsync(() -> {
                        try {
                            log.commit(StoreOutageTest.event("stuck-commit"));
                            return -1L;
                        } catch (AuditUnavailableException e) {
                            return (System.nanoTime() - t0) / 1_000_000;
                        }
                    });
                    await("the writer holds the stuck batch")
                            .atMost(Duration.ofSeconds(5))
                            .until(() -> writerWaitsForLock(pg));
                    // 2. record() callers fill the queue; the next one waits for room and is refused
                    long refusedAfterMs = -1;
                    for (int i = 0; i < 20 && refusedAfterMs < 0; i++) {
                        String id = "stuck-" + i;
                        try {
                            log.record(StoreOutageTest.event(id));
                            acknowledged.add(id);
                        } catch (AuditUnavailableException stalled) {
                            refusedAfterMs = (System.nanoTime() - t0) / 1_000_000;
                            refused.add(id);
                            assertTrue(stalled.getMessage().startsWith("audit store stalled"), stalled.getMessage());
                        }
                    }
                    assertEquals(5, acknowledged.size() - 1, "the queue's five got in, the sixth waited for room");
                    assertTrue(
                            refusedAfterMs >= WRITE_TIMEOUT.toMillis() - 50
                                    && refusedAfterMs <= WRITE_TIMEOUT.toMillis() + SLACK_MS,
                            "the caller waiting for room was refused about a write timeout after the stall began: "
                                    + refusedAfterMs + " ms");
                    long commitRefusedMs = stuckCommit.get(WRITE_TIMEOUT.toMillis() + SLACK_MS, TimeUnit.MILLISECONDS);
                    assertTrue(
                            commitRefusedMs >= WRITE_TIMEOUT.toMillis() - 50,
                            "commit() waited for its batch first: " + commitRefusedMs + " ms");
                    refused.add("stuck-commit");

                    // 3. while stalled, new calls are refused at once, however empty their way looks
                    long t1 = System.nanoTime();
                    assertThrows(
                            AuditUnavailableException.class, () -> log.commit(StoreOutageTest.event("new-commit")));
                    assertThrows(
                            AuditUnavailableException.class, () -> log.record(StoreOutageTest.event("new-record")));
                    refused.add("new-commit");
                    refused.add("new-record");
                    assertTrue((System.nanoTime() - t1) / 1_000_000 < 200, "refused at once while stalled");
                    assertTrue(log.isAvailable(), "stalled is not down: the store answers, it just does not commit");
                    blocker.rollback();
                }

                // the stuck batch commits; the log takes events again by itself
                RecordedEvent after = await("the writer moves again")
                        .atMost(Duration.ofSeconds(20))
                        .ignoreException(AuditUnavailableException.class)
                        .until(() -> log.commit(StoreOutageTest.event("after")), r -> r != null);
                acknowledged.add("after");
                log.flush(Duration.ofSeconds(10));

                AuditReader reader = new AuditReader(db.dataSource(), log);
                AuditPrincipal who = new AuditPrincipal("CN=test", null, null);
                assertInstanceOf(VerifyResult.Ok.class, reader.verify(key.publicKey(), "stuck", who));
                List<String> stored = new ArrayList<>();
                for (RecordedEvent r : reader.search(
                        AuditQuery.all().node("stuck").types(Set.of(EventType.CONNECTION_ACCEPTED)), who)) {
                    stored.add(r.event().requestId());
                }
                assertTrue(stored.containsAll(acknowledged), "every acknowledged event is stored: " + stored);
                // the writer had taken the refused commit() into its batch before the caller gave up, so it
                // commits once the lock goes (fail closed errs towards an extra record, never a missing one)
                assertTrue(stored.contains("stuck-commit"), stored.toString());
                for (String id : refused) {
                    if (!id.equals("stuck-commit")) {
                        assertFalse(stored.contains(id), "refused and never written: " + id);
                    }
                }
                assertEquals(stored.size(), new HashSet<>(stored).size(), "none twice: " + stored);
                assertEquals(after.seq(), stored.size() + 0L, "no gap: " + stored);
            }
        }
    }

    @Test
    void aTimedOutCopyDoesNotPoisonThePool() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                        .withOwner("postgres", null))) {
            CountDownLatch givingUp = new CountDownLatch(1);
            BatchWriter writer = new BatchWriter(onGivingUp(db.dataSource(), givingUp), "stall", Duration.ofSeconds(1));
            try (Connection c = db.dataSource().getConnection()) {
                writer.prepare(c);
            }
            writer.write(batch(0, 3), 0, 1000, false);
            try (Connection blocker = pg.superuser();
                    Statement s = blocker.createStatement()) {
                blocker.setAutoCommit(false);
                s.execute("LOCK TABLE " + partition() + " IN SHARE MODE");
                CompletableFuture<Void> stalled = CompletableFuture.runAsync(() -> {
                    try {
                        writer.write(batch(3, 3), 0, 1000, false);
                    } catch (SQLException e) {
                        throw new CompletionException(e);
                    }
                });
                // released the moment the writer gives up on the timed-out COPY (rolls back, or drops the
                // connection): the COPY's late answers then arrive on that connection, which must not go
                // back to the pool one answer out of step
                assertTrue(givingUp.await(30, TimeUnit.SECONDS), "the COPY timed out and the writer gave up on it");
                blocker.rollback();
                ExecutionException failed =
                        assertThrows(ExecutionException.class, () -> stalled.get(30, TimeUnit.SECONDS));
                assertInstanceOf(SQLException.class, failed.getCause(), failed.toString());
            }
            // every pooled connection must work again; a stale one fails with the COPY's leftover answers
            for (int i = 0; i < 10; i++) {
                writer.write(batch(3 + 3 * i, 3), 0, 1000, false);
            }
            try (Connection c = pg.superuser();
                    Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT count(*), max(seq) FROM audit_event WHERE node_id = 'stall'")) {
                rs.next();
                assertEquals(33, rs.getLong(1), "the stalled batch was rolled back, the others written once");
                assertEquals(33, rs.getLong(2));
            }
        }
    }

    /** Connections that count {@code latch} down when their user rolls back or aborts, just before doing it. */
    private static DataSource onGivingUp(DataSource ds, CountDownLatch latch) {
        InvocationHandler dataSource = (proxy, m, args) -> {
            Object r = invoke(ds, m, args);
            if (!(r instanceof Connection c)) {
                return r;
            }
            return Proxy.newProxyInstance(
                    StalledBatchTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, cm, cargs) -> {
                        if (cm.getName().equals("rollback") || cm.getName().equals("abort")) {
                            latch.countDown();
                        }
                        return invoke(c, cm, cargs);
                    });
        };
        return (DataSource) Proxy.newProxyInstance(
                StalledBatchTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, dataSource);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** True once a session of the application role waits for a lock (the writer's COPY behind the LOCK TABLE). */
    private static boolean writerWaitsForLock(ExternalPostgres pg) throws SQLException {
        try (Connection c = pg.superuser();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND usename = '" + ExternalPostgres.APP_ROLE + "' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static String partition() {
        return "audit_event_"
                + DateTimeFormatter.ofPattern("yyyyMM").format(Instant.now().atOffset(ZoneOffset.UTC));
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
