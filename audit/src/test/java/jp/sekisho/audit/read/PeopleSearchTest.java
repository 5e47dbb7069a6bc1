package jp.sekisho.audit.read;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.cli.JapaneseDates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The search people use, on the machine's PostgreSQL: a principal found however its DN is written,
 * newest first with a cursor that neither loses nor repeats an event while others arrive, pages that
 * say when they were cut, a capped count, read sessions that record one AUDIT_READ, and the CSV that
 * Excel opens.
 */
class PeopleSearchTest {

    /** As a certificate's subject is stored: what X500Principal.getName() writes. */
    static final String TANAKA_DN = new X500Principal("CN=Tanaka, O=Kurume City").getName();

    static final AuditPrincipal TANAKA = new AuditPrincipal(TANAKA_DN, "a1b2c3", "3f".repeat(32));
    static final AuditPrincipal JIRO =
            new AuditPrincipal(new X500Principal("CN=Tanaka Jiro, O=Kurume City").getName(), "a1b2c4", "4e".repeat(32));
    static final AuditPrincipal SOMU = new AuditPrincipal(
            new X500Principal("CN=hr-batch, OU=総務課, O=Example City, C=JP").getName(), "77", "5d".repeat(32));
    static final AuditPrincipal AUDITOR = new AuditPrincipal("CN=auditor,O=Kurume City", "99", "aa".repeat(32));

    static ExternalPostgres pg;

    @TempDir
    static Path dir;

    static AuditStore store;

    @BeforeAll
    static void seed() throws Exception {
        pg = ExternalPostgres.create();
        store = pg.openStore(dir, "people-gw", 10);
        for (int i = 0; i < 6; i++) {
            store.log().commit(allowed(TANAKA, "principals", i));
        }
        for (int i = 0; i < 4; i++) {
            store.log().commit(allowed(JIRO, "principals", i));
        }
        for (int i = 0; i < 3; i++) {
            store.log().commit(allowed(SOMU, "principals", i));
        }
    }

    @AfterAll
    static void drop() throws Exception {
        store.close();
        pg.close();
    }

    static AuditEvent allowed(AuditPrincipal p, String route, long i) {
        return AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                .principal(p)
                .source("10.1.2." + (i % 250 + 1), 40000)
                .routeId(route)
                .approvalRef("8福第301号")
                .transferId("t-" + i)
                .build();
    }

    /** The matches in chain order (one OR of the forms) and newest first (a UNION of ordered index scans): the same. */
    private static List<RecordedEvent> principals(String typed) {
        AuditQuery q = AuditQuery.all().route("principals").principal(typed).limit(1000);
        List<RecordedEvent> chain = store.reader().page(q, AUDITOR).events();
        List<RecordedEvent> newest =
                new ArrayList<>(store.reader().page(q.newestFirst(), AUDITOR).events());
        java.util.Collections.reverse(newest);
        assertEquals(chain, newest, "both orders find the same events: " + typed);
        EventPage first = store.reader().page(q.newestFirst().limit(2), AUDITOR);
        if (chain.size() > 2) {
            assertTrue(first.more());
            assertEquals(
                    newest.get(newest.size() - 3),
                    store.reader()
                            .page(QueryParameters.next(q.newestFirst().limit(2), first), AUDITOR)
                            .events()
                            .get(0),
                    "the cursor works on the union too");
        }
        return chain;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CN=Tanaka,O=Kurume City",
                "CN=Tanaka, O=Kurume City",
                "cn=tanaka,o=kurume city",
                "  CN = Tanaka ,  O = Kurume City  ",
                "CN=Tanaka,  O=Kurume  City",
                "O=Kurume City, CN=Tanaka",
                "/O=Kurume City/CN=Tanaka",
                "/o=kurume city/cn=TANAKA",
                "subject=O = Kurume City, CN = Tanaka",
                "ＣＮ＝Ｔａｎａｋａ，Ｏ＝Ｋｕｒｕｍｅ Ｃｉｔｙ",
                "a1b2c3",
                "A1:B2:C3",
                "00:a1:b2:c3",
                "0xA1B2C3",
                "3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F:3F",
                "3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
            })
    void aPrincipalIsFoundHoweverItIsWritten(String typed) {
        List<RecordedEvent> found = principals(typed);
        assertEquals(6, found.size(), typed + " → " + found);
        assertTrue(found.stream().allMatch(e -> e.event().principal().equals(TANAKA)), typed);
    }

    @Test
    void japaneseSubjectsInOpenSslOrderAndNothingLooser() {
        assertEquals(3, principals("/C=JP/O=Example City/OU=総務課/CN=hr-batch").size());
        assertEquals(3, principals("cn=HR-BATCH, ou=総務課, o=example city, c=jp").size());
        assertEquals(4, principals("/O=Kurume City/CN=Tanaka Jiro").size());
        // no partial match, no injection
        assertEquals(0, principals("CN=Tanaka").size());
        assertEquals(0, principals("Kurume City").size());
        assertEquals(0, principals("' OR 1=1 --").size());
        assertEquals(0, principals("/O=Kurume City/CN=Tanaka/CN=x").size());
        // one event whose subject and serial both match what was typed is one event, not two
        store.log().commit(allowed(new AuditPrincipal("CAFE", "cafe", null), "principals-twice", 1));
        EventPage twice = store.reader()
                .page(
                        AuditQuery.all()
                                .route("principals-twice")
                                .principal("cafe")
                                .newestFirst(),
                        AUDITOR);
        assertEquals(1, twice.events().size(), twice.toString());
        IllegalArgumentException tooLong =
                assertThrows(IllegalArgumentException.class, () -> principals("CN=" + "x".repeat(1100)));
        assertTrue(tooLong.getMessage().startsWith("principal: "), tooLong.getMessage());
    }

    @Test
    void anApprovalIsFoundWithFullWidthDigitsToo() {
        AuditQuery q = AuditQuery.all().route("principals").limit(1000);
        assertEquals(
                13, store.reader().page(q.approval("8福第301号"), AUDITOR).events().size());
        assertEquals(
                13, store.reader().page(q.approval("８福第３０１号"), AUDITOR).events().size());
        assertEquals(
                13,
                store.reader()
                        .page(q.approval("８福第３０１号").newestFirst(), AUDITOR)
                        .events()
                        .size());
        assertEquals(
                13,
                store.reader()
                        .page(q.approval("8福第301号").newestFirst(), AUDITOR)
                        .events()
                        .size());
        assertEquals(
                0, store.reader().page(q.approval("8福第30号"), AUDITOR).events().size());
    }

    @Test
    void moreIsTrueExactlyWhenThePageWasCutAndTheCountIsCapped() {
        AuditQuery q = AuditQuery.all().route("principals").newestFirst();
        EventPage exact = store.reader().page(q.limit(13), AUDITOR);
        assertEquals(13, exact.events().size());
        assertFalse(exact.more(), "13 match, 13 asked: nothing left");
        assertNull(exact.next());

        EventPage cut = store.reader().page(q.limit(12), AUDITOR);
        assertEquals(12, cut.events().size());
        assertTrue(cut.more(), "13 match, 12 shown");
        assertEquals(Cursor.of(cut.events().get(11)), cut.next());
        EventPage rest = store.reader().page(QueryParameters.next(q.limit(12), cut), AUDITOR);
        assertEquals(1, rest.events().size());
        assertFalse(rest.more());
        assertEquals(exact.events().get(12), rest.events().get(0));

        assertFalse(store.reader().page(q.limit(14), AUDITOR).more());

        assertEquals(new EventCount(13, false), store.reader().count(q.limit(1), 13, AUDITOR));
        assertEquals(new EventCount(13, false), store.reader().count(q.before(cut.next()), 100, AUDITOR));
        EventCount capped = store.reader().count(q, 10, AUDITOR);
        assertEquals(new EventCount(10, true), capped);
        assertEquals("10+", capped.display());
        assertEquals("10件以上 / 10+ events", capped.bilingual());
        assertEquals("13件 / 13 events", new EventCount(13, false).bilingual());
    }

    /**
     * Two nodes write while a person pages down the newest-first list: every event that was there when
     * the first page was read appears exactly once, in (time, node, sequence) order, and what arrived
     * later never pushes an event onto a second page.
     */
    @Test
    void newestFirstPagingNeverLosesOrRepeatsAnEventWhileNewOnesArrive() throws Exception {
        String route = "paging-" + UUID.randomUUID().toString().substring(0, 8);
        AuditSettings other =
                AuditSettings.defaults("people-gw2", dir.resolve("data")).withCheckpoints(10, Duration.ofSeconds(60));
        try (PostgresAuditLog second = PostgresAuditLog.open(store.database(), other, store.signingKey())) {
            for (int i = 0; i < 120; i++) {
                (i % 3 == 0 ? second : store.postgresLog()).record(allowed(TANAKA, route, i));
            }
            store.postgresLog().flush(Duration.ofSeconds(10));
            second.flush(Duration.ofSeconds(10));
            AuditQuery q = AuditQuery.all().route(route).newestFirst().limit(17);
            Set<String> before = new HashSet<>();
            store.reader().page(q.limit(10_000), AUDITOR).events().forEach(e -> before.add(key(e)));
            assertEquals(120, before.size());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                for (int i = 1000; !stop.get(); i++) {
                    (i % 2 == 0 ? second : store.postgresLog()).commit(allowed(TANAKA, route, i));
                    written.incrementAndGet();
                }
            });
            writer.start();
            List<RecordedEvent> seen = new ArrayList<>();
            try {
                AuditQuery page = q;
                while (true) {
                    EventPage p = store.reader().page(page, AUDITOR);
                    seen.addAll(p.events());
                    if (!p.more()) {
                        break;
                    }
                    assertEquals(17, p.events().size(), "a cut page is full");
                    int sofar = written.get(); // a new event lands between every two pages
                    await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > sofar);
                    page = QueryParameters.next(page, p);
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(written.get() > 0, "events arrived while paging");
            List<String> keys = seen.stream().map(PeopleSearchTest::key).toList();
            assertEquals(keys.size(), new HashSet<>(keys).size(), "no event twice");
            assertTrue(keys.containsAll(before), "no event that was there is lost");
            Comparator<RecordedEvent> order = Comparator.comparing(RecordedEvent::time)
                    .thenComparing(RecordedEvent::nodeId)
                    .thenComparingLong(RecordedEvent::seq);
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(order.compare(seen.get(i - 1), seen.get(i)) > 0, "strictly newest first at " + i);
            }
            Instant newestBefore = seen.stream()
                    .filter(e -> before.contains(key(e)))
                    .map(RecordedEvent::time)
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
            assertTrue(
                    seen.stream()
                            .filter(e -> !before.contains(key(e)))
                            .allMatch(e -> !e.time().isBefore(newestBefore)),
                    "only events newer than the first page's start can be new to it");
        }
    }

    private static String key(RecordedEvent e) {
        return e.nodeId() + "#" + e.seq();
    }

    @Test
    void aReadSessionRecordsOneAuditReadForManySearches() throws Exception {
        AuditPrincipal reader = new AuditPrincipal("CN=live,O=Kurume City", "51", "51".repeat(32));
        AuditQuery filter = AuditQuery.all().route("principals").principal("/O=Kurume City/CN=Tanaka");
        long readsBefore = auditReads(reader);
        ReadSession s = store.reader()
                .openSession(reader, "live view", filter.newestFirst().limit(5));
        assertEquals(readsBefore + 1, auditReads(reader), "opening records the read");
        assertEquals(reader.sha256(), s.principalSha256());
        assertEquals(ReadSessions.TTL, Duration.between(s.opened(), s.expires()));

        Cursor seenUpTo = null;
        for (int poll = 0; poll < 20; poll++) {
            AuditQuery q = filter.newestFirst().limit(5);
            EventPage p = store.reader().search(seenUpTo == null ? q : q.newerThan(seenUpTo), s);
            if (!p.events().isEmpty()) {
                seenUpTo = Cursor.of(p.events().get(0));
            }
            store.reader().count(filter, 10_000, s);
            assertEquals(s, store.reader().session(s.id(), reader));
        }
        assertEquals(readsBefore + 1, auditReads(reader), "20 polls and counts: still the one AUDIT_READ");
        assertNotNull(seenUpTo);

        String detail = lastAuditReadDetail(reader);
        assertTrue(detail.contains("\"op\":\"session\""), detail);
        assertTrue(detail.contains("\"purpose\":\"live view\""), detail);
        assertTrue(detail.contains("\"principal\":\"/O=Kurume City/CN=Tanaka\""), detail);
        assertFalse(detail.contains("\"limit\""), "the filter, not a page of it: " + detail);
    }

    @Test
    void anExpiredForeignUnknownOrStretchedSessionIsRefused() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T00:00:00Z"));
        AuditReader reader = new AuditReader(
                store.database().dataSource(), store.log(), new ReadSessions(clock, ReadSessions.TTL, 2));
        AuditPrincipal me = new AuditPrincipal("CN=me,O=Kurume City", "61", "61".repeat(32));
        AuditPrincipal other = new AuditPrincipal("CN=other,O=Kurume City", "62", "62".repeat(32));
        AuditQuery filter = AuditQuery.all().route("principals");
        ReadSession s = reader.openSession(me, "live view", filter);

        assertEquals(ReadSessionRefused.Why.FOREIGN, refused(() -> reader.session(s.id(), other)));
        ReadSession forged = new ReadSession(s.id(), other, s.purpose(), s.filter(), s.opened(), s.expires());
        assertEquals(ReadSessionRefused.Why.FOREIGN, refused(() -> reader.search(filter, forged)));
        ReadSession stretched = new ReadSession(
                s.id(), me, s.purpose(), s.filter(), s.opened(), s.expires().plus(Duration.ofDays(1)));
        assertEquals(ReadSessionRefused.Why.FOREIGN, refused(() -> reader.search(filter, stretched)));
        assertEquals(ReadSessionRefused.Why.OTHER_FILTER, refused(() -> reader.search(filter.principal("CN=x"), s)));
        assertEquals(ReadSessionRefused.Why.UNKNOWN, refused(() -> reader.session("no-such-id", me)));
        assertEquals(13, reader.search(filter.limit(100), s).events().size(), "the owner reads");

        clock.now = clock.now.plus(ReadSessions.TTL).minusSeconds(1);
        assertEquals(13, reader.count(filter, 100, s).value(), "live until its end");
        clock.now = clock.now.plusSeconds(1);
        assertEquals(ReadSessionRefused.Why.EXPIRED, refused(() -> reader.search(filter, s)));
        assertEquals(ReadSessionRefused.Why.UNKNOWN, refused(() -> reader.session(s.id(), me)), "and gone");

        // bounded: the oldest session makes room for a new one
        ReadSession a = reader.openSession(me, "live view", filter);
        ReadSession b = reader.openSession(me, "live view", filter);
        ReadSession c = reader.openSession(me, "live view", filter);
        assertEquals(ReadSessionRefused.Why.UNKNOWN, refused(() -> reader.search(filter, a)));
        assertEquals(13, reader.search(filter.limit(100), b).events().size());
        reader.closeSession(c.id(), other);
        assertEquals(13, reader.search(filter.limit(100), c).events().size(), "only its owner closes it");
        reader.closeSession(c.id(), me);
        assertEquals(ReadSessionRefused.Why.UNKNOWN, refused(() -> reader.search(filter, c)));
        assertThrows(IllegalArgumentException.class, () -> reader.openSession(me, " ", filter));
    }

    private static ReadSessionRefused.Why refused(Runnable r) {
        ReadSessionRefused e = assertThrows(ReadSessionRefused.class, r::run);
        assertTrue(e.getMessage().contains(" / "), "Japanese and English: " + e.getMessage());
        return e.why();
    }

    @Test
    void csvForPeopleHasABomJapanTimesNoCheckpointsAndNoFormulas() throws Exception {
        RecordedEvent hostile = store.log()
                .commit(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                        .reason("ROLE_REQUIRED")
                        .principal(new AuditPrincipal("CN==HYPERLINK(\"http://evil\"),O=久留米市", "0b", "0b".repeat(32)))
                        .routeId("csv-route")
                        .requestId("@SUM(1+1)")
                        .detailJson("{\"note\":\"line1\\nline2\"}")
                        .build());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = store.reader().export(AuditQuery.all().route("csv-route"), AUDITOR, ExportFormat.CSV, out);
        assertEquals(1, n);
        byte[] bytes = out.toByteArray();
        assertEquals(List.of((byte) 0xEF, (byte) 0xBB, (byte) 0xBF), List.of(bytes[0], bytes[1], bytes[2]), "BOM");
        String[] rows = new String(bytes, StandardCharsets.UTF_8).substring(1).split("\r\n");
        assertEquals(3, rows.length, "header, the event, end: " + String.join("\n", rows));
        assertTrue(rows[0].startsWith("日時 (JST) / Time (JST),"), rows[0]);
        String jst = JapaneseDates.time(hostile.time());
        assertEquals(
                hostile.time().atZone(ZoneId.of("Asia/Tokyo")).toLocalDateTime().withNano(0),
                java.time.LocalDateTime.parse(jst.replace(' ', 'T')),
                "JST, not UTC");
        assertTrue(
                rows[1].startsWith(jst + ",people-gw," + hostile.seq() + ",REQUEST_DENIED,DENY,ROLE_REQUIRED,"),
                rows[1]);
        assertTrue(rows[1].contains(",'@SUM(1+1),"), "formula guarded: " + rows[1]);
        assertTrue(rows[1].contains(",\"CN==HYPERLINK(\"\"http://evil\"\"),O=久留米市\","), rows[1]);
        assertTrue(rows[1].contains("line1\\\\nline2"), "the detail on one row, escapes visible: " + rows[1]);
        assertEquals(CsvExporter.END + ",1,1件 / 1 event", rows[2]);
        for (String r : rows) {
            assertFalse(r.toLowerCase(java.util.Locale.ROOT).startsWith("checkpoint"), r);
        }

        // the JSON Lines export of the same store is untouched and still verifies
        Path jsonl = dir.resolve("all.jsonl");
        try (var os = Files.newOutputStream(jsonl)) {
            store.reader().export(AuditQuery.all(), AUDITOR, ExportFormat.JSONL, os);
        }
        assertTrue(Files.readAllLines(jsonl).get(0).startsWith("{\"record\":\"header\""));
        VerifyResult v = ExportFileVerifier.verify(jsonl, store.signingKey().publicKey());
        assertTrue(v instanceof VerifyResult.Ok, v.toString());
    }

    private static long auditReads(AuditPrincipal reader) throws Exception {
        try (Connection c = pg.superuser();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM audit_event WHERE event_type = 'AUDIT_READ' AND principal_sha256 = ?")) {
            ps.setString(1, reader.sha256());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String lastAuditReadDetail(AuditPrincipal reader) throws Exception {
        try (Connection c = pg.superuser();
                PreparedStatement ps =
                        c.prepareStatement("SELECT detail FROM audit_event WHERE event_type = 'AUDIT_READ'"
                                + " AND principal_sha256 = ? ORDER BY time DESC, seq DESC LIMIT 1")) {
            ps.setString(1, reader.sha256());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
