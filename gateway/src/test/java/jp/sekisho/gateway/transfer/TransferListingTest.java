package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.policy.PolicyFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route page's reads of the transfer table, on real PostgreSQL with a route that has carried
 * thousands of transfers: bounded, newest first, counted within the window, and answered from the
 * partial indexes of V6 (the table is never pruned, so a plan that reads it all would grow forever).
 */
class TransferListingTest {

    /** Ended states in the order the generated rows cycle through them. */
    static final String[] ENDED = {"ACKNOWLEDGED", "PURGED", "REJECTED", "EXPIRED", "ABORTED"};

    static final int ROWS = 5000;
    static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @TempDir
    static Path dir;

    static PolicyFixture db;
    static TransferRepository repo;

    @BeforeAll
    static void fill() throws Exception {
        db = new PolicyFixture(dir);
        repo = new TransferRepository(db.dataSource());
        try (Connection c = db.dataSource().getConnection()) {
            // route "bulk": ROWS ended transfers, one every 15 minutes back from BASE (7 minutes off the
            // hour so that none sits on the 30-day boundary), cycling through the ended states;
            // 3 in flight; route "other": 100 ended and 1 in flight
            insert(c, "bulk", ROWS);
            insert(c, "other", 100);
            inFlight(c, "bulk", "UPLOADING", 1);
            inFlight(c, "bulk", "STORED", 2);
            inFlight(c, "bulk", "DELIVERED", 3);
            inFlight(c, "other", "STORED", 4);
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE transfer");
            }
        }
    }

    private static void insert(Connection c, String route, int n) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO transfer (id, route_id, approval_ref, node, sender_subject, sender_sha256, filename, "
                        + "length, sha256, records, upload_offset, state, reason, created_at, updated_at, expires_at) "
                        + "SELECT ? || '-' || i, ?, 'R-1', 'n1', 'CN=city', 'ab', 'f.csv', 1000, repeat('a', 64), 10, "
                        + "1000, (ARRAY['ACKNOWLEDGED','PURGED','REJECTED','EXPIRED','ABORTED'])[i % 5 + 1], NULL, "
                        + "?::timestamptz - make_interval(mins => i * 15 + 60), "
                        + "?::timestamptz - make_interval(mins => i * 15 + 7), ?::timestamptz "
                        + "FROM generate_series(1, ?) AS i")) {
            ps.setString(1, route);
            ps.setString(2, route);
            ps.setTimestamp(3, Timestamp.from(BASE));
            ps.setTimestamp(4, Timestamp.from(BASE));
            ps.setTimestamp(5, Timestamp.from(BASE));
            ps.setInt(6, n);
            assertEquals(n, ps.executeUpdate());
        }
    }

    private static void inFlight(Connection c, String route, String state, int minutesAgo) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO transfer (id, route_id, approval_ref, node, sender_subject, sender_sha256, filename, "
                        + "length, sha256, records, upload_offset, state, created_at, updated_at, expires_at) "
                        + "VALUES (?, ?, 'R-1', 'n1', 'CN=city', 'ab', 'f.csv', 1000, repeat('a', 64), 10, 0, ?, ?, ?, ?)")) {
            Timestamp at = Timestamp.from(BASE.minus(Duration.ofMinutes(minutesAgo)));
            ps.setString(1, route + "-" + state);
            ps.setString(2, route);
            ps.setString(3, state);
            ps.setTimestamp(4, at);
            ps.setTimestamp(5, at);
            ps.setTimestamp(6, Timestamp.from(BASE.plus(Duration.ofDays(1))));
            ps.executeUpdate();
        }
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    @Test
    void theRecentlyEndedAreTheNewestFiftyNewestFirst() {
        List<Transfer> recent = repo.recentlyEnded("bulk", 50);
        assertEquals(50, recent.size());
        assertEquals("bulk-1", recent.get(0).id(), "the latest end first");
        assertEquals("bulk-50", recent.get(49).id());
        for (int i = 1; i < recent.size(); i++) {
            assertTrue(recent.get(i - 1).updatedAt().isAfter(recent.get(i).updatedAt()));
        }
        assertTrue(recent.stream().noneMatch(t -> t.state().spooled()), "no transfer in flight among the ended");
        assertTrue(recent.stream().allMatch(t -> t.routeId().equals("bulk")));
    }

    @Test
    void inFlightIsNewestFirstAndBounded() {
        assertEquals(
                List.of("bulk-UPLOADING", "bulk-STORED", "bulk-DELIVERED"),
                repo.inFlight("bulk", 10).stream().map(Transfer::id).toList());
        assertEquals(
                List.of("bulk-UPLOADING", "bulk-STORED"),
                repo.inFlight("bulk", 2).stream().map(Transfer::id).toList());
        assertEquals(List.of(), repo.inFlight("nothing-here", 10));
    }

    @Test
    void countsAreWithinTheWindowAndEveryRouteAskedHasOne() {
        Instant since = BASE.minus(Duration.ofDays(30));
        long delivered = 0;
        long notDelivered = 0;
        for (int i = 1; i <= ROWS; i++) {
            if (i * 15L + 7 > Duration.ofDays(30).toMinutes()) {
                continue; // ended before the window
            }
            String state = ENDED[i % 5];
            if (state.equals("ACKNOWLEDGED") || state.equals("PURGED")) {
                delivered++;
            } else {
                notDelivered++;
            }
        }
        Map<String, TransferCounts> counts = repo.counts(List.of("bulk", "other", "unused"), since);
        assertEquals(new TransferCounts(3, delivered, notDelivered), counts.get("bulk"));
        assertEquals(
                new TransferCounts(1, 40, 60), counts.get("other"), "100 ended within the window, 2 in 5 delivered");
        assertEquals(TransferCounts.NONE, counts.get("unused"));
        assertEquals(Map.of(), repo.counts(List.of(), since));
    }

    @Test
    void eachReadIsAnsweredFromItsPartialIndex() throws Exception {
        assertPlan(
                TransferRepository.RECENTLY_ENDED_SQL,
                ps -> {
                    ps.setString(1, "bulk");
                    ps.setInt(2, 50);
                },
                "transfer_route_ended");
        assertPlan(
                TransferRepository.IN_FLIGHT_SQL,
                ps -> {
                    ps.setString(1, "bulk");
                    ps.setInt(2, 200);
                },
                "transfer_route_in_flight");
        try (Connection c = db.dataSource().getConnection()) {
            assertPlan(
                    TransferRepository.COUNTS_SQL,
                    ps -> {
                        ps.setTimestamp(1, Timestamp.from(BASE.minus(Duration.ofDays(30))));
                        ps.setTimestamp(2, Timestamp.from(BASE.minus(Duration.ofDays(30))));
                        ps.setArray(3, c.createArrayOf("text", new Object[] {"bulk", "other"}));
                    },
                    "transfer_route_ended");
        }
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws Exception;
    }

    private static void assertPlan(String sql, Binder binder, String index) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        String p = plan.toString();
        assertTrue(p.contains(index), "expected " + index + " in\n" + p);
        assertFalse(p.contains("Seq Scan on transfer"), "no read of the whole table:\n" + p);
    }
}
