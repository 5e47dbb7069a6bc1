package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
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

    static TestPki pki;
    static GatewayFixture fx;
    static final Map<String, HttpClient> CLIENTS = new HashMap<>();
    static final Map<String, Credential> CREDS = new HashMap<>();

    static final String HOSTILE_SUBJECT =
            "CN=<script>alert(1)</script>\u001b[31m\u202eevil,O=\"><img src=x onerror=alert(2)>";
    static final String HOSTILE_ROUTE = "<b>route</b>\u0007";

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        StringBuilder principals = new StringBuilder();
        for (String[] p : new String[][] {
            {"auditor", "auditor"}, {"auditor2", "auditor"}, {"operator", "operator"}, {"secretariat", "secretariat"}
        }) {
            Credential c = pki.client(p[0]);
            CREDS.put(p[0], c);
            principals
                    .append("  - { subject: \"")
                    .append(c.certificate().getSubjectX500Principal().getName())
                    .append("\", roles: [")
                    .append(p[1])
                    .append("] }\n");
            CLIENTS.put(
                    p[0],
                    HttpClient.newBuilder()
                            .sslContext(Tls.client(c.pkcs12File(), pki.caFile()))
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build());
        }
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                principals.toString());
        fx.store
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
        fx.store.postgresLog().flush(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> get(String who, String path) throws Exception {
        return CLIENTS.get(who)
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String who, String path, String form) throws Exception {
        return CLIENTS.get(who)
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(form))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "a form with its token");
        return m.group(1);
    }

    /** (class, node, seq) of every row of {@code #events}. */
    record Row(boolean deny, String node, long seq) {}

    static final Pattern ROW =
            Pattern.compile("<tr class=\"event( deny)?\" data-node=\"([^\"]*)\" data-seq=\"(\\d+)\"");

    static List<Row> rows(String html) {
        List<Row> out = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            out.add(new Row(m.group(1) != null, m.group(2), Long.parseLong(m.group(3))));
        }
        return out;
    }

    static RecordedEvent stored(String requestId) {
        return fx.store.reader().search(AuditQuery.all().limit(10_000), GatewayFixture.TEST_READER).stream()
                .filter(e -> requestId.equals(e.event().requestId()))
                .findFirst()
                .orElseThrow();
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
            String subject =
                    CREDS.get(who).certificate().getSubjectX500Principal().getName();
            assertNotNull(fx.awaitEvent(
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
        String subject =
                CREDS.get("auditor").certificate().getSubjectX500Principal().getName();
        assertNotNull(fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "QUERY_INVALID".equals(e.event().reason())
                        && subject.equals(e.event().principal().subject())));
    }

    @Test
    void theJsonlDownloadVerifiesOffline() throws Exception {
        HttpResponse<Path> r = CLIENTS.get("auditor")
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url("admin", "/console/audit/export?format=jsonl")))
                                .build(),
                        HttpResponse.BodyHandlers.ofFile(dir.resolve("console.jsonl")));
        assertEquals(200, r.statusCode());
        String cd = r.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(cd.startsWith("attachment") && cd.matches(".*sekisho-audit-\\d{8}-\\d{4}\\.jsonl.*"), cd);
        PublicKey key = fx.store.signingKey().publicKey();
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
        assertNotNull(fx.awaitEvent(
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
}
