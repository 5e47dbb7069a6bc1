package jp.sekisho.audit.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.read.CsvExporter;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.support.TestEvents;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.audit.verify.VerifyResult.Broken;
import jp.sekisho.audit.verify.VerifyResult.Kind;
import org.junit.jupiter.api.Test;

/**
 * The audit store's contract, run against the embedded PostgreSQL and the machine's PostgreSQL server
 * by the two subclasses. Each test writes its own node's chain, so tests stay independent in one
 * database.
 */
abstract class AuditStoreContract {

    static final AuditPrincipal AUDITOR = new AuditPrincipal("CN=auditor,O=Example City,C=JP", "01", "aa".repeat(32));

    /** The opened database (application role). */
    abstract Database database();

    /** A superuser connection to the same database, for tampering. */
    abstract Connection superuser() throws SQLException;

    abstract Path keyDir();

    AuditSigningKey key() throws Exception {
        return AuditSigningKey.loadOrCreate(keyDir().resolve("audit-signing.key"));
    }

    AuditSettings settings(String node) {
        return AuditSettings.defaults(node, keyDir()).withCheckpoints(10, Duration.ofSeconds(30));
    }

    static String node(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    PostgresAuditLog open(String node) throws Exception {
        return PostgresAuditLog.open(database(), settings(node), key());
    }

    @Test
    void commitStoresEveryFieldExactlyAndStartsTheChain() throws Exception {
        String node = node("fields");
        try (PostgresAuditLog log = open(node)) {
            AuditEvent e = TestEvents.allowed(7);
            Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
            RecordedEvent r = log.commit(e);
            assertEquals(1, r.seq());
            assertEquals(ChainHasher.GENESIS, r.prevHash());
            assertEquals(node, r.nodeId());
            assertTrue(!r.time().isBefore(before), "time is the write's");
            assertEquals(r.time().truncatedTo(ChronoUnit.MICROS), r.time(), "microsecond precision");

            List<RecordedEvent> found = new AuditReader(database().dataSource(), log)
                    .search(AuditQuery.all().node(node).transfer("t-7"), AUDITOR);
            assertEquals(List.of(r), found, "the store returns what commit() returned, field by field");
            assertEquals(e, found.get(0).event());
        }
    }

    @Test
    void recordedEventsAreBatchedAndTheChainContinuesAfterRestart() throws Exception {
        String node = node("restart");
        try (PostgresAuditLog log = open(node)) {
            for (int i = 0; i < 5000; i++) {
                log.record(TestEvents.denied(i, "CIDR_MISMATCH", "192.0.2." + (i % 200)));
            }
            log.flush(Duration.ofSeconds(30));
        }
        try (PostgresAuditLog log = open(node)) {
            RecordedEvent r = log.commit(TestEvents.allowed(1));
            assertEquals(5001, r.seq(), "a reopened log continues its node's chain");
            VerifyResult v = new AuditReader(database().dataSource(), log).verify(key().publicKey(), node, AUDITOR);
            assertEquals(
                    new VerifyResult.Ok(5002, 500),
                    v,
                    "5001 events + the verify's own AUDIT_READ; a checkpoint every 10");
        }
    }

    @Test
    void applicationRoleCannotChangeRowsAndTheTriggerStopsEveryoneElse() throws Exception {
        String node = node("append");
        try (PostgresAuditLog log = open(node)) {
            log.commit(TestEvents.allowed(1));
        }
        for (String sql : List.of(
                "UPDATE audit_event SET reason = 'X'",
                "DELETE FROM audit_event",
                "TRUNCATE audit_event",
                "UPDATE audit_checkpoint SET hash = 'x'",
                "DELETE FROM audit_checkpoint")) {
            try (Connection c = database().dataSource().getConnection();
                    Statement s = c.createStatement()) {
                SQLException ex = assertThrows(SQLException.class, () -> s.execute(sql), "app role: " + sql);
                assertEquals("42501", ex.getSQLState(), sql + ": " + ex.getMessage());
            }
            try (Connection c = superuser();
                    Statement s = c.createStatement()) {
                SQLException ex = assertThrows(SQLException.class, () -> s.execute(sql), "superuser: " + sql);
                assertTrue(ex.getMessage().contains("append-only"), sql + ": " + ex.getMessage());
            }
        }
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            // a month partition directly, too
            String part = "audit_event_"
                    + java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                            .toString()
                            .replace("-", "");
            SQLException ex = assertThrows(SQLException.class, () -> s.execute("TRUNCATE " + part));
            assertTrue(ex.getMessage().contains("append-only"), ex.getMessage());
            SQLException ex2 = assertThrows(SQLException.class, () -> s.execute("DELETE FROM " + part));
            assertTrue(ex2.getMessage().contains("append-only"), ex2.getMessage());
        }
    }

    @Test
    void verifyNamesTheEventThatWasModifiedDeletedOrReordered() throws Exception {
        String intact = writeChain("intact", 40);
        String modified = writeChain("modified", 40);
        String deleted = writeChain("deleted", 40);
        String reordered = writeChain("reordered", 40);
        String inserted = writeChain("inserted", 40);
        String rehashed = writeChain("rehashed", 40);
        asSuperuserWithoutTriggers(
                "UPDATE audit_event SET byte_count = 1 WHERE node_id = '" + modified + "' AND seq = 17",
                "DELETE FROM audit_event WHERE node_id = '" + deleted + "' AND seq = 23",
                "UPDATE audit_event SET seq = -1 WHERE node_id = '" + reordered + "' AND seq = 5",
                "UPDATE audit_event SET seq = 5 WHERE node_id = '" + reordered + "' AND seq = 6",
                "UPDATE audit_event SET seq = 6 WHERE node_id = '" + reordered + "' AND seq = -1",
                "INSERT INTO audit_event SELECT node_id, seq, time + interval '1 microsecond', event_type, outcome, 'FORGED',"
                        + " principal_subject, principal_serial, principal_sha256, source_ip, source_port, listener_port,"
                        + " route_id, approval_ref, transfer_id, byte_count, payload_sha256, request_id, detail, prev_hash, hash"
                        + " FROM audit_event WHERE node_id = '" + inserted + "' AND seq = 12",
                "UPDATE audit_event SET hash = CASE WHEN left(hash, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2)"
                        + " WHERE node_id = '" + rehashed + "' AND seq = 33");

        try (PostgresAuditLog log = open(node("reader"))) {
            AuditReader reader = new AuditReader(database().dataSource(), log);
            var pub = key().publicKey();
            assertEquals(new VerifyResult.Ok(40, 4), reader.verify(pub, intact, AUDITOR));
            assertBroken(reader.verify(pub, modified, AUDITOR), 17, Kind.MODIFIED);
            assertBroken(reader.verify(pub, deleted, AUDITOR), 23, Kind.DELETED);
            assertBroken(reader.verify(pub, reordered, AUDITOR), 5, Kind.REORDERED);
            assertBroken(reader.verify(pub, inserted, AUDITOR), 12, null); // MODIFIED or INSERTED, by row order
            assertBroken(reader.verify(pub, rehashed, AUDITOR), 33, Kind.MODIFIED);
        }
    }

    @Test
    void queriesFilterPageAndAreThemselvesAudited() throws Exception {
        String node = node("query");
        try (PostgresAuditLog log = open(node)) {
            for (int i = 0; i < 30; i++) {
                log.record(TestEvents.denied(
                        i,
                        i % 3 == 0 ? "CERT_REVOKED" : "CIDR_MISMATCH",
                        i % 2 == 0 ? "192.0.2." + i : "2001:db8::" + Integer.toHexString(i)));
            }
            for (int i = 0; i < 10; i++) {
                log.record(TestEvents.allowed(i));
            }
            log.flush(Duration.ofSeconds(10));
            AuditReader reader = new AuditReader(database().dataSource(), log);
            AuditQuery q = AuditQuery.all().node(node);

            assertEquals(30, reader.search(q.outcome(Outcome.DENY), AUDITOR).size());
            assertEquals(10, reader.search(q.reason("CERT_REVOKED"), AUDITOR).size());
            assertEquals(15, reader.search(q.source("192.0.2.0/24"), AUDITOR).size());
            assertEquals(15, reader.search(q.source("2001:db8::/32"), AUDITOR).size());
            assertEquals(1, reader.search(q.source("192.0.2.4"), AUDITOR).size());
            assertEquals(
                    10,
                    reader.search(q.principal(TestEvents.SENDER.sha256()), AUDITOR)
                            .size());
            assertEquals(
                    10,
                    reader.search(q.principal(TestEvents.SENDER.subject()), AUDITOR)
                            .size());
            assertEquals(
                    10,
                    reader.search(q.route("payroll-hr").types(Set.of(EventType.REQUEST_ALLOWED)), AUDITOR)
                            .size());
            assertEquals(1, reader.search(q.transfer("t-3"), AUDITOR).size());
            assertEquals(
                    0,
                    reader.search(q.between(Instant.now().plusSeconds(60), null), AUDITOR)
                            .size());

            List<Long> seqs = new ArrayList<>();
            AuditQuery page = q.types(Set.of(EventType.CONNECTION_REFUSED, EventType.REQUEST_ALLOWED))
                    .limit(7);
            while (true) {
                List<RecordedEvent> got = reader.search(page, AUDITOR);
                if (got.isEmpty()) {
                    break;
                }
                got.forEach(r -> seqs.add(r.seq()));
                RecordedEvent last = got.get(got.size() - 1);
                page = page.after(last.nodeId(), last.seq());
            }
            assertEquals(40, seqs.size());
            assertEquals(List.copyOf(new java.util.TreeSet<>(seqs)), seqs, "pages in sequence order, no repeats");

            List<RecordedEvent> reads = reader.search(q.types(Set.of(EventType.AUDIT_READ)), AUDITOR);
            assertTrue(reads.size() >= 16, "every search was recorded: " + reads.size());
            assertEquals(AUDITOR, reads.get(0).event().principal());
            assertTrue(
                    reads.get(0).event().detailJson().contains("\"op\":\"search\""),
                    reads.get(0).event().detailJson());
        }
    }

    @Test
    void exportsStreamAndTheJsonlVerifiesOffline() throws Exception {
        String node = node("export");
        Path dir = Files.createTempDirectory(keyDir(), "export");
        try (PostgresAuditLog log = open(node)) {
            for (int i = 0; i < 95; i++) {
                log.record(TestEvents.allowed(i));
            }
            log.flush(Duration.ofSeconds(10));
            AuditReader reader = new AuditReader(database().dataSource(), log);
            Path jsonl = dir.resolve("export.jsonl");
            try (var out = Files.newOutputStream(jsonl)) {
                // the export's own AUDIT_READ is committed before the read, so the file holds it too
                assertEquals(96, reader.export(AuditQuery.all().node(node), AUDITOR, ExportFormat.JSONL, out));
            }
            assertEquals(new VerifyResult.Ok(96, 9), ExportFileVerifier.verify(jsonl, key().publicKey()));

            List<String> lines = Files.readAllLines(jsonl);
            int idx = lineOf(lines, 56);
            lines.set(idx, lines.get(idx).replace("\"bytes\":", "\"bytes\":9"));
            Path edited = dir.resolve("edited.jsonl");
            Files.write(edited, lines);
            assertBroken(ExportFileVerifier.verify(edited, key().publicKey()), 56, Kind.MODIFIED);

            List<String> swapped = new ArrayList<>(Files.readAllLines(jsonl));
            java.util.Collections.swap(swapped, lineOf(swapped, 86), lineOf(swapped, 87));
            Path moved = dir.resolve("moved.jsonl");
            Files.write(moved, swapped);
            assertBroken(ExportFileVerifier.verify(moved, key().publicKey()), 86, Kind.REORDERED);

            List<String> cut = new ArrayList<>(Files.readAllLines(jsonl));
            cut.remove(lineOf(cut, 40));
            Path gap = dir.resolve("gap.jsonl");
            Files.write(gap, cut);
            assertBroken(ExportFileVerifier.verify(gap, key().publicKey()), 40, Kind.DELETED);

            List<String> tail = new ArrayList<>(Files.readAllLines(jsonl));
            tail.subList(lineOf(tail, 85), tail.size() - 1).clear(); // the end record kept
            Path truncated = dir.resolve("truncated.jsonl");
            Files.write(truncated, tail);
            assertBroken(ExportFileVerifier.verify(truncated, key().publicKey()), 85, Kind.DELETED);

            List<String> cutStream = new ArrayList<>(Files.readAllLines(jsonl));
            cutStream.subList(lineOf(cutStream, 85), cutStream.size()).clear(); // the end record gone too
            Path cutFile = dir.resolve("cut.jsonl");
            Files.write(cutFile, cutStream);
            assertEquals(Kind.TRUNCATED, ((Broken) ExportFileVerifier.verify(cutFile, key().publicKey())).kind());

            ByteArrayOutputStream csv = new ByteArrayOutputStream();
            assertEquals(97, reader.export(AuditQuery.all().node(node), AUDITOR, ExportFormat.CSV, csv));
            String[] rows = csv.toString(StandardCharsets.UTF_8).split("\r\n");
            assertEquals(CsvExporter.BOM + CsvExporter.HEADER, rows[0]);
            assertEquals(1 + 97 + 1, rows.length, "header, events (no checkpoint rows), end");
            assertTrue(rows[rows.length - 1].startsWith(CsvExporter.END + ",97,"), rows[rows.length - 1]);
            assertTrue(rows[1].matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d," + node + ",1,.*"), rows[1]);
            assertTrue(rows[1].contains("\"{\"\"records\"\":0,"), "CSV quoting: " + rows[1]);
        }
    }

    /**
     * The interval runs on the writer's System.nanoTime(), which a test cannot move, so real time passes:
     * the checkpoint must be absent whenever less than the interval has passed since the log opened,
     * and must appear once it has, with nothing else written meanwhile.
     */
    @Test
    void checkpointIsSignedAfterTheIntervalWhenIdle() throws Exception {
        String node = node("timed");
        Duration interval = Duration.ofSeconds(2);
        AuditSettings s = AuditSettings.defaults(node, keyDir()).withCheckpoints(1000, interval);
        long opened = System.nanoTime(); // the writer's interval starts after this
        try (PostgresAuditLog log = PostgresAuditLog.open(database(), s, key())) {
            log.record(TestEvents.allowed(1));
            log.record(TestEvents.allowed(2));
            log.flush(Duration.ofSeconds(5));
            AtomicInteger earlyLooks = new AtomicInteger();
            long seq = await("a checkpoint once the interval has passed")
                    .atMost(interval.plusSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                long seen = checkpointSeq(node);
                                if (System.nanoTime() - opened < interval.toNanos()) {
                                    assertEquals(-1, seen, "a checkpoint before the interval passed");
                                    earlyLooks.incrementAndGet();
                                }
                                return seen;
                            },
                            seen -> seen >= 0);
            assertEquals(2, seq, "the checkpoint covers both events");
            assertTrue(earlyLooks.get() > 0, "looked for it while the interval was still running");
        }
    }

    /** The seq of the node's newest checkpoint, -1 when it has none. */
    private long checkpointSeq(String node) throws SQLException {
        try (Connection c = superuser();
                Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT max(seq) FROM audit_checkpoint WHERE node_id = '" + node + "'")) {
            rs.next();
            long seq = rs.getLong(1);
            return rs.wasNull() ? -1 : seq;
        }
    }

    @Test
    void onlyANonAddressIsRefusedAtTheCallerAndABadDetailIsStoredReplaced() throws Exception {
        try (PostgresAuditLog log = open(node("invalid"))) {
            assertThrows(IllegalArgumentException.class, () -> log.record(TestEvents.denied(1, "X", "not-an-ip")));
            RecordedEvent r = log.commit(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                    .detailJson("{oops")
                    .build());
            assertEquals(1, r.seq(), "the non-address reached nothing; the bad detail is recorded");
            assertTrue(
                    r.event().detailJson().startsWith("{\"detailReplaced\":\"invalid JSON at offset "),
                    r.event().detailJson());
        }
    }

    @Test
    void overLongAndNulTextIsStoredMarkedAndTheChainVerifies() throws Exception {
        String node = node("bounds");
        String subject = "CN=" + "x".repeat(1395) + ",O=\0evil";
        try (PostgresAuditLog log = open(node)) {
            RecordedEvent r = log.commit(AuditEvent.of(EventType.TLS_FAILED, Outcome.DENY)
                    .reason("CERT_UNTRUSTED")
                    .principal(new AuditPrincipal(subject, "01", "ab".repeat(32)))
                    .routeId("r\0" + "y".repeat(2000))
                    .detailJson("{\"k\":\"" + "z".repeat(9000) + "\"}")
                    .build());
            String stored = r.event().principal().subject();
            assertEquals(EventBounds.MAX_TEXT_CHARS, stored.length(), stored);
            assertTrue(stored.contains("\u2026[truncated: " + subject.length() + " chars, sha256="), stored);
            assertTrue(r.event().routeId().startsWith("r\u2400yyy"), "NUL replaced visibly");
            List<RecordedEvent> found = new AuditReader(database().dataSource(), log)
                    .search(AuditQuery.all().node(node).types(Set.of(EventType.TLS_FAILED)), AUDITOR);
            assertEquals(List.of(r), found, "stored as returned");
            VerifyResult v = new AuditReader(database().dataSource(), log).verify(key().publicKey(), node, AUDITOR);
            assertInstanceOf(VerifyResult.Ok.class, v, "the chain holds the stored (bounded) form: " + v);
        }
    }

    static int lineOf(List<String> lines, long seq) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("{\"record\":\"event\"") && lines.get(i).contains(",\"seq\":" + seq + ",")) {
                return i;
            }
        }
        throw new AssertionError("no event line for seq " + seq);
    }

    @Test
    void committedBatchesAreAnnouncedByListenNotify() throws Exception {
        String node = node("notify");
        try (Connection listener = database().dataSource().getConnection();
                PostgresAuditLog log = open(node)) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + PostgresAuditLog.NOTIFY_CHANNEL);
            }
            RecordedEvent r = log.commit(TestEvents.allowed(1));
            var notes = listener.unwrap(org.postgresql.PGConnection.class).getNotifications(5000);
            assertNotNull(notes, "a notification within 5 s");
            assertTrue(
                    java.util.Arrays.stream(notes)
                            .anyMatch(n ->
                                    n.getParameter().equals("{\"node\":\"" + node + "\",\"seq\":" + r.seq() + "}")),
                    java.util.Arrays.toString(notes));
        }
    }

    String writeChain(String prefix, int n) throws Exception {
        String node = node(prefix);
        try (PostgresAuditLog log = open(node)) {
            for (int i = 0; i < n; i++) {
                log.record(TestEvents.allowed(i));
            }
            log.flush(Duration.ofSeconds(10));
        }
        return node;
    }

    void asSuperuserWithoutTriggers(String... sql) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL session_replication_role = replica");
            for (String q : sql) {
                s.execute(q);
            }
            c.commit();
        }
    }

    static void assertBroken(VerifyResult v, long seq, Kind kind) {
        Broken b = assertInstanceOf(Broken.class, v, "expected a broken chain");
        assertEquals(seq, b.seq(), b.toString());
        if (kind != null) {
            assertEquals(kind, b.kind(), b.toString());
        }
        assertNotNull(b.message());
    }
}
