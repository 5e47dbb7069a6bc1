package jp.sekisho.audit.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
 * Fail closed: with PostgreSQL stopped, writes fail fast with AUDIT_UNAVAILABLE, callers already
 * waiting included; when it is back the log recovers by itself and every acknowledged event is in an
 * unbroken chain.
 */
class StoreOutageTest {

    private static final String APP_ROLE = "sekisho_app";

    @TempDir
    Path dir;

    static AuditEvent event(String id) {
        return AuditEvent.of(EventType.CONNECTION_ACCEPTED, Outcome.ALLOW)
                .requestId(id)
                .source("192.0.2.1", 1234)
                .build();
    }

    @Test
    void storeDownMeansAuditUnavailableAtOnceAndRecoveryWithoutGap() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url("postgres"), APP_ROLE, null)
                        .withOwner("postgres", null)
                        .withTimeout(Duration.ofSeconds(2)))) {
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
                assertTrue(ms <= 2600, "commit() gave up within the 2 s store timeout (+ slack): " + ms + " ms");
                await("the writer noticed").atMost(Duration.ofSeconds(10)).until(() -> !log.isAvailable());
                long t1 = System.nanoTime();
                AuditUnavailableException ex =
                        assertThrows(AuditUnavailableException.class, () -> log.record(event("refused-2")));
                assertThrows(AuditUnavailableException.class, () -> log.commit(event("refused-3")));
                assertTrue((System.nanoTime() - t1) / 1_000_000 < 100, "refused at once while down");
                assertTrue(ex.getMessage().startsWith("audit store unavailable: "), ex.getMessage());
                assertEquals("AUDIT_UNAVAILABLE", AuditUnavailableException.REASON, ex.getMessage());

                pg.start();
                RecordedEvent after = await("the log recovered by itself")
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200))
                        .ignoreException(AuditUnavailableException.class)
                        .until(() -> log.commit(event("after")), r -> r != null);
                assertTrue(after.seq() > 10);
                acknowledged.add("after");
                log.flush(Duration.ofSeconds(10));

                List<String> stored = verifiedEvents(db, log, key, "outage");
                assertTrue(stored.containsAll(acknowledged), "every acknowledged event is stored: " + stored);
                assertEquals(stored.size(), new HashSet<>(stored).size(), "none twice: " + stored);
                assertFalse(stored.contains("refused-2"), "a refused record() is not written");
            }
        }
    }

    /**
     * A caller already waiting, for room in a full queue or for its batch, when the store goes down is
     * refused as soon as the writer notices, not when some timeout runs out: the write timeout here is
     * 30 s, so the stall rule cannot be what refuses it.
     */
    @Test
    void callersAlreadyWaitingAreRefusedAsSoonAsTheWriterFindsTheStoreDown() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url("postgres"), APP_ROLE, null)
                        .withOwner("postgres", null)
                        .withTimeout(Duration.ofSeconds(2)))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings = AuditSettings.defaults("waiting", dir)
                    .withQueueCapacity(5)
                    .withWriteTimeout(Duration.ofSeconds(30));
            Set<String> acknowledged = new HashSet<>();
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                log.commit(event("first"));
                acknowledged.add("first");

                // hold the writer's next batch on a lock, so the queue behind it fills up
                Connection blocker = DriverManager.getConnection(pg.url("postgres"), "postgres", null);
                blocker.setAutoCommit(false);
                try (Statement s = blocker.createStatement()) {
                    s.execute("LOCK TABLE " + partition() + " IN SHARE MODE");
                }
                CompletableFuture<RecordedEvent> waitingForBatch =
                        CompletableFuture.supplyAsync(() -> log.commit(event("waiting-for-batch")));
                await("the writer waits for the lock")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> writerWaitsForLock(pg));
                for (int i = 0; i < 5; i++) {
                    log.record(event("queued-" + i));
                    acknowledged.add("queued-" + i);
                }
                Thread waiter = new Thread(() -> log.record(event("waiting-for-room")));
                CompletableFuture<Throwable> waitingForRoom = new CompletableFuture<>();
                waiter.setUncaughtExceptionHandler((t, e) -> waitingForRoom.complete(e));
                waiter.start();
                await("a caller waits for room")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> waiter.getState() == Thread.State.TIMED_WAITING);

                pg.stop();
                long stopped = System.nanoTime();
                Throwable roomRefusal = waitingForRoom.get(10, TimeUnit.SECONDS);
                long roomMs = (System.nanoTime() - stopped) / 1_000_000;
                ExecutionException batchRefusal =
                        assertThrows(ExecutionException.class, () -> waitingForBatch.get(10, TimeUnit.SECONDS));
                long batchMs = (System.nanoTime() - stopped) / 1_000_000;
                assertInstanceOf(AuditUnavailableException.class, roomRefusal);
                assertTrue(roomRefusal.getMessage().startsWith("audit store unavailable: "), roomRefusal.getMessage());
                assertInstanceOf(AuditUnavailableException.class, batchRefusal.getCause());
                assertTrue(
                        batchRefusal.getCause().getMessage().startsWith("audit store unavailable: "),
                        batchRefusal.getMessage());
                assertTrue(
                        roomMs < 3000 && batchMs < 3000,
                        "refused once the writer's batch failed, long before the 30 s "
                                + "write timeout: waiting for room " + roomMs + " ms, for its batch " + batchMs
                                + " ms");
                assertFalse(log.isAvailable());
                closeQuietly(blocker);

                pg.start();
                await("the log recovered by itself")
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200))
                        .ignoreException(AuditUnavailableException.class)
                        .until(() -> log.commit(event("after")), r -> r != null);
                acknowledged.add("after");
                log.flush(Duration.ofSeconds(10));
                List<String> stored = verifiedEvents(db, log, key, "waiting");
                assertEquals(
                        acknowledged,
                        Set.copyOf(stored),
                        "the queued records survived, the refused calls were not written");
                assertEquals(stored.size(), acknowledged.size(), "none twice: " + stored);
            }
        }
    }

    /**
     * A frozen server (SIGSTOP: the socket stays open, nothing answers) is the worst case: nothing
     * fails, everything waits. commit() still gives up within the write timeout, a plain query on
     * the pool gives up within its socket timeout as an outage (StoreOutage), and after SIGCONT both
     * work again without a reopen.
     */
    @Test
    void aFrozenStoreFailsWithinTheWriteTimeoutAndWorksAgainWhenThawed() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url("postgres"), APP_ROLE, null)
                        .withOwner("postgres", null)
                        .withTimeout(Duration.ofSeconds(2)))) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("k.key"));
            AuditSettings settings = AuditSettings.defaults("frozen", dir).withWriteTimeout(Duration.ofSeconds(2));
            try (PostgresAuditLog log = PostgresAuditLog.open(db, settings, key)) {
                log.commit(event("before"));
                pg.freeze();
                try {
                    long t0 = System.nanoTime();
                    CompletableFuture<RecordedEvent> frozen =
                            CompletableFuture.supplyAsync(() -> log.commit(event("frozen")));
                    ExecutionException refusal =
                            assertThrows(ExecutionException.class, () -> frozen.get(10, TimeUnit.SECONDS));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertInstanceOf(AuditUnavailableException.class, refusal.getCause());
                    assertTrue(ms <= 2600, "commit() gave up within the 2 s write timeout (+ slack): " + ms + " ms");

                    long t1 = System.nanoTime();
                    CompletableFuture<Object> query = CompletableFuture.supplyAsync(() -> {
                        try (Connection c = db.dataSource().getConnection();
                                Statement st = c.createStatement()) {
                            st.execute("SELECT 1");
                            return "answered";
                        } catch (SQLException e) {
                            return e;
                        }
                    });
                    Object answer = query.get(10, TimeUnit.SECONDS);
                    long queryMs = (System.nanoTime() - t1) / 1_000_000;
                    assertInstanceOf(SQLException.class, answer, "a frozen server cannot answer");
                    assertTrue(StoreOutage.is((SQLException) answer), "an outage, not a bug: " + answer);
                    assertTrue(queryMs <= 3600, "the pool gave up within its timeouts (+ slack): " + queryMs + " ms");
                } finally {
                    pg.thaw();
                }
                RecordedEvent after = await("commits again once thawed")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .ignoreException(AuditUnavailableException.class)
                        .until(() -> log.commit(event("after")), r -> r != null);
                assertTrue(after.seq() >= 2);
                log.flush(Duration.ofSeconds(10));
                List<String> stored = verifiedEvents(db, log, key, "frozen");
                assertTrue(stored.containsAll(List.of("before", "after")), stored.toString());
            }
        }
    }

    @Test
    void outagesAreToldFromBugs() {
        assertTrue(StoreOutage.is(new java.sql.SQLTransientConnectionException("pool timed out")));
        assertTrue(StoreOutage.is(new SQLException("I/O error", "08006", new java.net.SocketTimeoutException())));
        assertTrue(StoreOutage.is(new SQLException("terminating connection due to administrator command", "57P01")));
        assertTrue(StoreOutage.is(new SQLException("the database system is starting up", "57P03")));
        assertTrue(StoreOutage.is(new IllegalStateException(new java.net.ConnectException("refused"))));
        assertTrue(StoreOutage.is(new RuntimeException(new AuditUnavailableException("down"))));
        assertFalse(StoreOutage.is(new SQLException("duplicate key", "23505")));
        assertFalse(StoreOutage.is(new SQLException("syntax error", "42601")));
        assertFalse(StoreOutage.is(new IllegalArgumentException("a bug")));
    }

    /** The chain verifies; the request ids of its CONNECTION_ACCEPTED events in order. */
    private static List<String> verifiedEvents(Database db, PostgresAuditLog log, AuditSigningKey key, String node) {
        AuditReader reader = new AuditReader(db.dataSource(), log);
        AuditPrincipal who = new AuditPrincipal("CN=test", null, null);
        VerifyResult v = reader.verify(key.publicKey(), node, who);
        assertTrue(v instanceof VerifyResult.Ok, "no gap in the chain: " + v);
        List<String> stored = new ArrayList<>();
        for (RecordedEvent r :
                reader.search(AuditQuery.all().node(node).types(Set.of(EventType.CONNECTION_ACCEPTED)), who)) {
            stored.add(r.event().requestId());
        }
        return stored;
    }

    private static boolean writerWaitsForLock(PrivatePostgres pg) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.url("postgres"), "postgres", null);
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + APP_ROLE
                        + "' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    private static String partition() {
        return "audit_event_"
                + DateTimeFormatter.ofPattern("yyyyMM").format(Instant.now().atOffset(ZoneOffset.UTC));
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the server it talked to was stopped
        }
    }
}
