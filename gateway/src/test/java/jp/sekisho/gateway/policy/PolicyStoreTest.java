package jp.sekisho.gateway.policy;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.approval.Actor;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalFixtures;
import jp.sekisho.gateway.approval.ApprovalPolicy;
import jp.sekisho.gateway.approval.ApprovalRepository;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.approval.DecisionRecord;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteFile;
import jp.sekisho.gateway.route.RouteRepository;
import jp.sekisho.gateway.route.RouteState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Approvals, their history and routes in a real PostgreSQL, and two nodes seeing each other's changes. */
class PolicyStoreTest {

    static PolicyFixture db;

    @TempDir
    static Path dir;

    static final Actor ALICE = new Actor("CN=secretariat,O=Kurume City", "aa");
    static final Actor BOB = new Actor("CN=secretariat2,O=Kurume City", "bb");

    @BeforeAll
    static void start() {
        db = new PolicyFixture(dir);
    }

    @AfterAll
    static void stop() throws SQLException {
        db.close();
    }

    private static Approval approval(String ref) {
        Approval p = ApprovalFixtures.pending();
        return new Approval(
                ref,
                p.title(),
                p.legalBasis(),
                p.departments(),
                p.contractor(),
                p.subcontractors(),
                p.dataItems(),
                p.maxRecords(),
                p.validFrom(),
                p.validUntil(),
                p.conditions(),
                p.meetingRef(),
                p.status(),
                null,
                null,
                1);
    }

    @Test
    void approvalsRoundTripWithTheirHistoryAndOptimisticLocking() {
        ApprovalRepository repo = new ApprovalRepository(db.dataSource(), db.seal());
        Instant now = ApprovalFixtures.NOW;
        assertTrue(repo.create(approval("R-1"), now));
        assertFalse(repo.create(approval("R-1"), now), "reference numbers are unique");

        ApprovalPolicy policy = new ApprovalPolicy(true);
        Approval stored = repo.find("R-1").orElseThrow();
        assertEquals(approval("R-1"), stored);

        var parked = assertInstanceOf(
                DecisionOutcome.AwaitingConfirmation.class,
                policy.decide(stored, Decision.APPROVE, ALICE, "答申どおり", now));
        repo.save(parked.approval(), null, now);
        Approval withPending = repo.find("R-1").orElseThrow();
        assertEquals(parked.approval(), withPending);

        var applied = assertInstanceOf(DecisionOutcome.Applied.class, policy.confirm(withPending, BOB, "確認", now));
        repo.save(applied.approval(), applied.record(), now);
        assertEquals(ApprovalStatus.APPROVED, repo.find("R-1").orElseThrow().status());
        List<DecisionRecord> history = repo.history("R-1");
        assertEquals(List.of(applied.record()), history);

        // a second decision based on the old version loses instead of overwriting
        var stale = assertInstanceOf(
                DecisionOutcome.Applied.class, policy.decide(withPending, Decision.REJECT, BOB, "x", now));
        assertThrows(ApprovalRepository.ConcurrentChange.class, () -> repo.save(stale.approval(), stale.record(), now));
        assertEquals(ApprovalStatus.APPROVED, repo.find("R-1").orElseThrow().status());
    }

    @Test
    void theDecisionHistoryIsAppendOnly() throws SQLException {
        ApprovalRepository repo = new ApprovalRepository(db.dataSource(), db.seal());
        Instant now = ApprovalFixtures.NOW;
        repo.create(approval("R-2"), now);
        var rejected = (DecisionOutcome.Applied)
                new ApprovalPolicy(true).decide(repo.find("R-2").orElseThrow(), Decision.REJECT, ALICE, "目的外", now);
        repo.save(rejected.approval(), rejected.record(), now);
        // the application role holds no UPDATE or DELETE on the history...
        try (var c = db.dataSource().getConnection();
                var s = c.createStatement()) {
            SQLException e =
                    assertThrows(SQLException.class, () -> s.execute("UPDATE approval_decision SET reason = 'x'"));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertThrows(SQLException.class, () -> s.execute("DELETE FROM approval_decision"));
        }
        // ...and the trigger refuses even the owner
        try (var c = db.superuser();
                var s = c.createStatement()) {
            SQLException e =
                    assertThrows(SQLException.class, () -> s.execute("UPDATE approval_decision SET reason = 'x'"));
            assertTrue(e.getMessage().contains("append-only"), e.getMessage());
            assertThrows(SQLException.class, () -> s.execute("TRUNCATE approval_decision"));
        }
        assertEquals("目的外", repo.history("R-2").get(0).reason());
    }

    @Test
    void aChangeOnOneNodeReachesAnotherWithinASecond() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("certs"));
        pki.recipient("contractor-enc");
        Path routesFile = dir.resolve("routes.yml");
        Files.writeString(routesFile, """
                routes:
                  - id: watched
                    listener: transfer
                    approval: R-3
                    senders:   [{ subject: "CN=city-sender,O=Sekisho", allow: [127.0.0.1/32] }]
                    receivers: [{ subject: "CN=contractor,O=Sekisho", allow: [127.0.0.1/32] }]
                    recipients: [certs/contractor-enc.pem]
                """);
        ApprovalRepository repo = new ApprovalRepository(db.dataSource(), db.seal());
        Instant now = Instant.now();
        Approval a = approval("R-3");
        repo.create(
                new Approval(
                        a.ref(),
                        a.title(),
                        a.legalBasis(),
                        a.departments(),
                        a.contractor(),
                        a.subcontractors(),
                        a.dataItems(),
                        a.maxRecords(),
                        java.time.LocalDate.now(ApprovalState.TOKYO).minusDays(1),
                        java.time.LocalDate.now(ApprovalState.TOKYO).plusDays(30),
                        a.conditions(),
                        a.meetingRef(),
                        ApprovalStatus.APPROVED,
                        null,
                        null,
                        1),
                now);
        List<Route> routes = RouteFile.read(routesFile).routes();
        new RouteRepository(db.dataSource(), db.seal()).upsertAll(routes, now);

        // "node 2" polls rarely, so only the notification can make it fast. Its clock tells when its
        // watcher thread has reloaded, which it does right after its LISTEN: from then on it hears.
        ListeningClock clock = new ListeningClock();
        try (PolicyWatcher node2 =
                new PolicyWatcher(db.dataSource(), db.seal(), new TamperAlarm(null), clock, Duration.ofMinutes(5))) {
            Route r = node2.current().route("watched").orElseThrow();
            assertEquals(routes.get(0), r);
            assertEquals(RouteState.ACTIVE, node2.current().stateOf(r, Instant.now()));
            await("node 2 listens")
                    .atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10))
                    .untilTrue(clock.readByWatcher);

            Approval current = repo.find("R-3").orElseThrow();
            var suspended = (DecisionOutcome.Applied)
                    new ApprovalPolicy(true).decide(current, Decision.SUSPEND, ALICE, "漏えいの疑い", Instant.now());
            repo.save(suspended.approval(), suspended.record(), Instant.now()); // "node 1"
            await("node 2 sees the suspension")
                    .atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> node2.current().stateOf(r, Instant.now()), equalTo(RouteState.APPROVAL_SUSPENDED));
        }
    }

    /**
     * A reload that read the store before a change committed never publishes after the change's own
     * reload: the listeners' allowlists would go back to the old routes until the next reload (CI
     * once refused a sender's first connection just after its route was applied). The watcher
     * thread's reload after LISTEN is held between its load and its publish (its clock is read
     * there) while a change commits and is reloaded from another thread.
     */
    @Test
    void aReloadThatReadTheStoreBeforeAChangeNeverPublishesAfterIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ListeningClock holding = new ListeningClock(release);
        try (PolicyWatcher watcher =
                new PolicyWatcher(db.dataSource(), db.seal(), new TamperAlarm(null), holding, Duration.ofMinutes(5))) {
            List<Boolean> published = new CopyOnWriteArrayList<>(); // whether each publication holds R-late
            watcher.subscribe(snapshot -> published.add(snapshot.approvals().containsKey("R-late")));
            await("the watcher thread loaded the store and is held")
                    .atMost(Duration.ofSeconds(10))
                    .untilTrue(holding.readByWatcher);
            new ApprovalRepository(db.dataSource(), db.seal()).create(approval("R-late"), Instant.now());
            Thread change = new Thread(watcher::reload, "the change's own reload");
            change.start();
            change.join(500); // without one reload at a time it publishes now, before the held one
            release.countDown();
            change.join(10_000);
            assertFalse(change.isAlive());
            await("the notification's reload")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> watcher.current().approvals().containsKey("R-late"));
            int first = published.indexOf(true);
            assertTrue(first >= 0, "published: " + published);
            assertFalse(
                    published.subList(first, published.size()).contains(false),
                    "no publication without R-late after one with it: " + published);
        }
    }

    /**
     * The system clock, noting when the policy watcher's own thread reads it (in its reload after
     * LISTEN, between loading the store and publishing); one made with a latch holds that first read
     * until the latch opens.
     */
    static final class ListeningClock extends Clock {
        final AtomicBoolean readByWatcher;
        private final CountDownLatch release; // null: never holds
        private final ZoneId zone;

        ListeningClock() {
            this(null);
        }

        ListeningClock(CountDownLatch release) {
            this(new AtomicBoolean(), release, ZoneOffset.UTC);
        }

        private ListeningClock(AtomicBoolean readByWatcher, CountDownLatch release, ZoneId zone) {
            this.readByWatcher = readByWatcher;
            this.release = release;
            this.zone = zone;
        }

        @Override
        public Instant instant() {
            if (Thread.currentThread().getName().equals("sekisho-policy-watcher")
                    && readByWatcher.compareAndSet(false, true)
                    && release != null) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Instant.now();
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return new ListeningClock(readByWatcher, release, other); // the same notes, another zone
        }
    }
}
