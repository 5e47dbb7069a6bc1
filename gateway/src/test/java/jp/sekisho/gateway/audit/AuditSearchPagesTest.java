package jp.sekisho.gateway.audit;

import static jp.sekisho.gateway.audit.AuditConsole.attr;
import static jp.sekisho.gateway.audit.AuditConsole.enc;
import static jp.sekisho.gateway.audit.AuditConsole.rows;
import static jp.sekisho.gateway.audit.AuditConsole.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.audit.AuditConsole.Row;
import jp.sekisho.gateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit list's search on a real gateway: newest first, 50 a page, a next-page link that neither
 * repeats nor loses an event while others arrive (a relative "since" pinned for the next pages), the
 * total counted up to 10,000 and said to be more beyond; a principal found however its DN is
 * written; the approval, relative time and Japan-time filters.
 */
class AuditSearchPagesTest {

    @TempDir
    static Path dir;

    static AuditConsole c;

    static final AuditPrincipal TANAKA = new AuditPrincipal("CN=Tanaka,O=Kurume City", "1f2e", "ab".repeat(32));

    @BeforeAll
    static void start() throws Exception {
        c = AuditConsole.start(dir);
        for (int i = 0; i < 130; i++) {
            record("paging", i % 10 == 0 ? Outcome.DENY : Outcome.ALLOW, null, null, "p-" + i);
        }
        for (int i = 0; i < 3; i++) {
            record("tanaka-route", Outcome.DENY, TANAKA, null, "t-" + i);
            record("approval-route", Outcome.ALLOW, null, "8福第301号", "a-" + i);
        }
        record("approval-route", Outcome.ALLOW, null, "8福第302号", "a-other");
        for (int i = 0; i < AuditPages.COUNT_CAP + 1; i++) {
            record("many", Outcome.ALLOW, null, null, null);
        }
        c.flush();
    }

    @AfterAll
    static void stop() {
        if (c != null) {
            c.close();
        }
    }

    static void record(String route, Outcome outcome, AuditPrincipal p, String approval, String requestId) {
        c.fx.store
                .log()
                .record(AuditEvent.of(
                                outcome == Outcome.DENY ? EventType.REQUEST_DENIED : EventType.REQUEST_ALLOWED, outcome)
                        .reason(outcome == Outcome.DENY ? "APPROVAL_SUSPENDED" : null)
                        .principal(p)
                        .routeId(route)
                        .approvalRef(approval)
                        .requestId(requestId)
                        .build());
    }

    static String page(String query) throws Exception {
        HttpResponse<String> r = c.get("auditor", "/console/audit" + query);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void pagingNeverRepeatsOrLosesAnEventWhileOthersArrive() throws Exception {
        Set<Long> expected = new HashSet<>();
        for (RecordedEvent e :
                c.fx.store.reader().search(AuditQuery.all().route("paging").limit(1000), GatewayFixture.TEST_READER)) {
            expected.add(e.seq());
        }
        assertEquals(130, expected.size());
        String html = page("?since=1d&route=paging");
        assertEquals("130件 / 130 events", text(html, "total"), html);
        List<Long> seen = new ArrayList<>();
        int pages = 0;
        while (true) {
            List<Row> rows = rows(html);
            assertTrue(rows.size() <= AuditPages.PAGE, "at most 50 a page");
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(rows.get(i - 1).seq() > rows.get(i).seq(), "newest first");
            }
            rows.forEach(r -> seen.add(r.seq()));
            pages++;
            String more = attr(html, "more", "href");
            if (more == null) {
                assertEquals(expected.size(), seen.size(), "the last page has no #more");
                break;
            }
            assertEquals(AuditPages.PAGE, rows.size(), "a cut page is full");
            assertTrue(more.contains("before=") && more.contains("from=") && !more.contains("since="), more);
            for (int i = 0; i < 3; i++) {
                record("paging", Outcome.ALLOW, null, null, "late-" + pages + "-" + i); // newer than page 1
            }
            c.flush();
            HttpResponse<String> next = c.get("auditor", more);
            assertEquals(200, next.statusCode(), next.body());
            html = next.body();
        }
        assertEquals(3, pages);
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no event twice");
        assertEquals(expected, new HashSet<>(seen), "no event lost, none of the late ones mixed in");
    }

    @Test
    void deniesAreHighlightedOnEveryPage() throws Exception {
        List<Row> rows = rows(page("?route=paging&outcome=DENY"));
        assertEquals(13, rows.size());
        assertTrue(rows.stream().allMatch(Row::deny));
        List<Row> mixed = rows(page("?route=paging"));
        assertTrue(mixed.stream().anyMatch(Row::deny) && mixed.stream().anyMatch(r -> !r.deny()));
    }

    @Test
    void aPrincipalIsFoundHoweverItsDnIsWritten() throws Exception {
        for (String form : new String[] {
            "CN=Tanaka,O=Kurume City",
            "cn=tanaka, o=kurume city",
            "/O=Kurume City/CN=Tanaka",
            "O=Kurume City, CN=Tanaka",
            "1F:2E",
            "AB".repeat(32)
        }) {
            String html = page("?principal=" + enc(form));
            assertEquals(3, rows(html).size(), form + ": " + html);
            assertTrue(html.contains("name=\"principal\" value=\""), "the form keeps what was typed");
        }
        assertEquals(
                0, rows(page("?principal=" + enc("CN=Tanaka,O=Other City"))).size());
    }

    @Test
    void theApprovalFilterMatchesFullWidthDigitsToo() throws Exception {
        assertEquals(3, rows(page("?approval=" + enc("8福第301号"))).size());
        assertEquals(3, rows(page("?approval=" + enc("８福第３０１号"))).size());
        assertEquals(1, rows(page("?approval=" + enc("8福第302号"))).size());
    }

    @Test
    void relativeAndJapanTimeFilters() throws Exception {
        String html = page("?since=1h&route=approval-route");
        assertEquals(4, rows(html).size(), html);
        assertTrue(html.contains("<option value=\"1h\" selected>"), "the form shows the period");
        DateTimeFormatter jst = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
        String hourAgo = jst.format(ZonedDateTime.ofInstant(Instant.now().minusSeconds(3600), JapaneseDates.TOKYO));
        String inAnHour = jst.format(ZonedDateTime.ofInstant(Instant.now().plusSeconds(3600), JapaneseDates.TOKYO));
        assertEquals(4, rows(page("?route=approval-route&from=" + enc(hourAgo))).size());
        String none = page("?route=approval-route&from=" + enc(inAnHour));
        assertEquals(0, rows(none).size());
        assertTrue(none.contains("id=\"no-events\""), none);
        assertEquals(0, rows(page("?route=approval-route&to=" + enc(hourAgo))).size());

        HttpResponse<String> bad = c.get("auditor", "/console/audit?since=" + enc("an hour"));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("QUERY_INVALID") && bad.body().contains("since"), bad.body());
    }

    @Test
    void theTotalIsExactUpToTenThousandAndSaysMoreBeyond() throws Exception {
        String html = page("?route=many");
        assertEquals("10,000件以上 / more than 10,000 events", text(html, "total"), html);
        assertNotNull(attr(html, "more", "href"), "a cut page links on");
        String en = c.get("auditor", "/console/audit?route=many&lang=en").body();
        assertEquals("more than 10,000 events", text(en, "total"), en);
        String small = page("?route=tanaka-route");
        assertEquals("3件 / 3 events", text(small, "total"));
        assertNull(attr(small, "more", "href"), "never a link when nothing more matches");
        assertFalse(small.contains("id=\"more\""));
    }
}
