package jp.sekisho.gateway.audit;

import static jp.sekisho.gateway.audit.AuditConsole.csrf;
import static jp.sekisho.gateway.audit.AuditConsole.enc;
import static jp.sekisho.gateway.audit.AuditConsole.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.gateway.audit.AuditConsole.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's audit pages on a real gateway (real PostgreSQL, mutual TLS): only an auditor gets
 * them; rows show JST times, deny rows are marked, hostile text in events stays text; one event's
 * detail shows every field; the JSONL download verifies offline; the integrity check needs the form's
 * token; a filter that cannot be read is answered in {@code #error} with QUERY_INVALID.
 */
class AuditPagesTest {

    @TempDir
    static Path dir;

    static AuditConsole c;

    static final String HOSTILE_SUBJECT =
            "CN=<script>alert(1)</script>\u001b[31m\u202eevil,O=\"><img src=x onerror=alert(2)>";
    static final String HOSTILE_ROUTE = "<b>route</b>\u0007";

    @BeforeAll
    static void start() throws Exception {
        c = AuditConsole.start(dir);
        c.fx.store
                .log()
                .record(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                        .reason("APPROVAL_SUSPENDED")
                        .principal(new AuditPrincipal(HOSTILE_SUBJECT, "0a", "ff".repeat(32)))
                        .source("10.1.2.3", 40000)
                        .routeId(HOSTILE_ROUTE)
                        .approvalRef("8福第301号")
                        .requestId("hostile-1")
                        .detailJson("{\"note\":\"</pre><script>alert(3)</script>\",\"n\":[1,2.50,true,null],"
                                + "\"bidi\":\"\u202eabc\"}")
                        .build());
        c.flush();
    }

    @AfterAll
    static void stop() {
        if (c != null) {
            c.close();
        }
    }

    static HttpResponse<String> get(String who, String path) throws Exception {
        return c.get(who, path);
    }

    static HttpResponse<String> post(String who, String path, String form) throws Exception {
        return c.post(who, path, form);
    }

    static RecordedEvent stored(String requestId) {
        return c.stored(requestId);
    }

    @Test
    void onlyAnAuditorGetsTheAuditPagesAndARefusalIsAudited() throws Exception {
        for (String who : new String[] {"operator", "secretariat"}) {
            for (String path : new String[] {
                "/console/audit", "/console/audit/event?node=gwtest&seq=1", "/console/audit/export?format=jsonl"
            }) {
                HttpResponse<String> r = get(who, path);
                assertEquals(403, r.statusCode(), who + " " + path);
                assertTrue(r.body().contains("ROLE_REQUIRED"), r.body());
            }
            String subject = c.subject(who);
            assertNotNull(c.fx.awaitEvent(
                    EventType.REQUEST_DENIED,
                    e -> "ROLE_REQUIRED".equals(e.event().reason())
                            && e.event().principal() != null
                            && subject.equals(e.event().principal().subject())
                            && e.event().detailJson() != null
                            && e.event().detailJson().contains("/console/audit")));
        }
        HttpResponse<String> verify = post("operator", "/console/audit/verify", "_csrf=x");
        assertEquals(403, verify.statusCode());
        assertTrue(verify.body().contains("ROLE_REQUIRED"), verify.body());
        assertEquals(200, get("auditor", "/console/audit").statusCode());
    }

    @Test
    void theListShowsJstTimesMarksDenialsAndKeepsHostileTextAsText() throws Exception {
        HttpResponse<String> r = get("auditor", "/console/audit");
        assertEquals(200, r.statusCode(), r.body());
        String html = r.body();
        assertTrue(html.contains("id=\"audit-filter\"") && html.contains("id=\"events\""), html);
        assertTrue(r.headers().firstValue("Server-Timing").orElse("").startsWith("db;dur="), "timing for the bench");
        RecordedEvent hostile = stored("hostile-1");
        Row row = rows(html).stream()
                .filter(x -> x.seq() == hostile.seq())
                .findFirst()
                .orElseThrow(() -> new AssertionError(html));
        assertTrue(row.deny(), "a denial is highlighted");
        assertTrue(html.contains(jp.sekisho.cli.JapaneseDates.time(hostile.time())), "time in JST");
        assertFalse(html.contains("<script>alert") || html.contains("<img src=x") || html.contains("<b>route"), html);
        assertFalse(html.contains("\u001b") || html.contains("\u202e") || html.contains("\u0007"), "controls visible");
        assertTrue(html.contains("CN=&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31m\\u202eevil"), html);
        assertTrue(html.contains("&lt;b&gt;route&lt;/b&gt;\\x07"), html);
        assertTrue(html.contains("href=\"/console/audit/event?node=gwtest&amp;seq=" + hostile.seq() + "\""), html);
        assertTrue(html.contains("id=\"export-csv\"") && html.contains("id=\"export-jsonl\""), html);
        assertFalse(html.contains(" style=") || html.contains("<script>"), "nothing inline");
    }

    @Test
    void oneEventsDetailShowsEveryFieldAndItsDetailIndentedAndEscaped() throws Exception {
        RecordedEvent e = stored("hostile-1");
        HttpResponse<String> r = get("auditor", "/console/audit/event?node=gwtest&seq=" + e.seq());
        assertEquals(200, r.statusCode(), r.body());
        String html = r.body();
        assertTrue(html.contains("id=\"event\""), html);
        for (String v :
                new String[] {"APPROVAL_SUSPENDED", "10.1.2.3", "40000", "8福第301号", "hostile-1", e.hash(), e.prevHash()
                }) {
            assertTrue(html.contains(v), v);
        }
        assertTrue(html.contains("ff".repeat(32)), "the certificate's fingerprint");
        assertTrue(html.contains(jp.sekisho.cli.JapaneseDates.timeJst(e.time())), "time in JST");
        assertTrue(html.contains("{\n  \"note\": \"&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;\","), html);
        assertTrue(html.contains("\\u202eabc"), "a bidi override in the detail is shown as its escape");
        assertTrue(html.contains("2.50"), "numbers as written");
        assertFalse(html.contains("<script>alert") || html.contains("\u202e"), html);

        HttpResponse<String> missing = get("auditor", "/console/audit/event?node=gwtest&seq=999999999");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("id=\"error\"") && missing.body().contains("NOT_FOUND"), missing.body());
        HttpResponse<String> bad = get("auditor", "/console/audit/event?node=gwtest&seq=abc");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("QUERY_INVALID"), bad.body());
    }

    @Test
    void aFilterThatCannotBeReadIsShownInErrorAndAudited() throws Exception {
        HttpResponse<String> r = get("auditor", "/console/audit?outcome=MAYBE&route=" + enc("<x>"));
        assertEquals(400, r.statusCode(), r.body());
        String html = r.body();
        assertTrue(html.contains("id=\"error\"") && html.contains("QUERY_INVALID"), html);
        assertTrue(html.contains("outcome"), "names the field");
        assertTrue(html.contains("name=\"route\" value=\"&lt;x"), "the form comes back filled: " + html);
        String subject = c.subject("auditor");
        assertNotNull(c.fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "QUERY_INVALID".equals(e.event().reason())
                        && subject.equals(e.event().principal().subject())));
    }

    @Test
    void theJsonlDownloadVerifiesOffline() throws Exception {
        HttpResponse<Path> r = c.client("auditor")
                .send(
                        HttpRequest.newBuilder(URI.create(c.fx.url("admin", "/console/audit/export?format=jsonl")))
                                .build(),
                        HttpResponse.BodyHandlers.ofFile(dir.resolve("console.jsonl")));
        assertEquals(200, r.statusCode());
        String cd = r.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(cd.startsWith("attachment") && cd.matches(".*sekisho-audit-\\d{8}-\\d{4}\\.jsonl.*"), cd);
        PublicKey key = c.fx.store.signingKey().publicKey();
        VerifyResult v = ExportFileVerifier.verify(r.body(), key);
        assertTrue(v.ok(), v.toString());
    }

    @Test
    void theIntegrityCheckRunsFromTheFormAndNeedsItsToken() throws Exception {
        String list = get("auditor", "/console/audit").body();
        assertTrue(list.contains("id=\"verify-form\""), list);
        HttpResponse<String> ok = post("auditor", "/console/audit/verify", "_csrf=" + enc(csrf(list)));
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("id=\"verify-result\"") && ok.body().contains("data-ok=\"true\""), ok.body());
        assertTrue(ok.body().contains("改ざんは見つかりませんでした"), ok.body());

        for (String form : new String[] {"", "node=gwtest"}) {
            HttpResponse<String> none = post("auditor", "/console/audit/verify", form);
            assertEquals(403, none.statusCode(), form);
            assertTrue(none.body().contains("CSRF_REJECTED"), none.body());
        }
        // another auditor's token is not this one's
        String other = get("auditor2", "/console/audit").body();
        HttpResponse<String> foreign = post("auditor", "/console/audit/verify", "_csrf=" + enc(csrf(other)));
        assertEquals(403, foreign.statusCode());
        assertNotNull(c.fx.awaitEvent(
                EventType.REQUEST_DENIED, e -> "CSRF_REJECTED".equals(e.event().reason())));
    }

    @Test
    void typeAndOutcomeFilterTheList() throws Exception {
        String html = get("auditor", "/console/audit?type=REQUEST_DENIED&outcome=DENY")
                .body();
        List<Row> rows = rows(html);
        assertFalse(rows.isEmpty(), html);
        assertTrue(rows.stream().allMatch(Row::deny), html);
        assertTrue(html.contains("<option value=\"REQUEST_DENIED\" selected>"), "the form shows the filter");
        assertTrue(
                html.contains("href=\"/console/audit/export?type=REQUEST_DENIED&amp;outcome=DENY&amp;format=csv\""),
                html);
        Set<Long> all = Set.copyOf(rows.stream().map(Row::seq).toList());
        assertTrue(all.contains(stored("hostile-1").seq()));
    }

    @Test
    void theCsvDownloadIsTheExcelFormBomJstEventsOnly() throws Exception {
        RecordedEvent e = stored("hostile-1");
        HttpResponse<byte[]> r = c.client("auditor")
                .send(
                        HttpRequest.newBuilder(URI.create(c.fx.url(
                                        "admin", "/console/audit/export?format=csv&reason=APPROVAL_SUSPENDED")))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        String cd = r.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(cd.startsWith("attachment") && cd.matches(".*sekisho-audit-\\d{8}-\\d{4}\\.csv.*"), cd);
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        byte[] b = r.body();
        assertTrue(b.length > 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF, "BOM");
        String csv = new String(b, StandardCharsets.UTF_8).substring(1);
        List<String> lines = csv.lines().toList();
        assertTrue(lines.get(0).startsWith("日時 (JST) / Time (JST)"), lines.get(0));
        assertTrue(csv.contains(jp.sekisho.cli.JapaneseDates.time(e.time())), "JST time: " + csv);
        assertFalse(csv.contains("checkpoint"), "events only");
        assertEquals(3, lines.size(), "header, the one APPROVAL_SUSPENDED event, the end row: " + csv);
    }

    @Test
    void openingTheListRecordsExactlyOneAuditRead() throws Exception {
        int before = c.auditReads("auditor2").size();
        assertEquals(200, get("auditor2", "/console/audit?outcome=DENY").statusCode());
        List<RecordedEvent> after = c.auditReads("auditor2");
        assertEquals(before + 1, after.size(), "one AUDIT_READ for the page, its count included");
        String detail = after.get(after.size() - 1).event().detailJson();
        assertTrue(detail.contains("console list") && detail.contains("DENY"), detail);
    }
}
