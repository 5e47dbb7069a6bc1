package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.EventJson;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code GET /api/v1/audit/events} for people, on a real gateway over mutual TLS: newest first with a
 * cursor, the body still a JSON array, and a cut said by {@code Sekisho-More} and {@code Link rel=next};
 * since, approval and a principal written the OpenSSL way; a bad since is 400 QUERY_INVALID in both
 * languages; {@code audit search --gateway} prints the next page's command and that command works.
 */
class AuditSearchApiTest {

    static final AuditPrincipal TANAKA =
            new AuditPrincipal(new X500Principal("CN=Tanaka, O=Kurume City").getName(), "a1b2c3", "3f".repeat(32));

    @TempDir
    static Path dir;

    static TestPki pki;
    static Credential auditor;
    static GatewayFixture fx;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        auditor = pki.client("auditor");
        fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                "  - { subject: \""
                        + auditor.certificate().getSubjectX500Principal().getName() + "\", roles: [auditor] }\n");
        for (int i = 0; i < 7; i++) {
            fx.store
                    .log()
                    .commit(AuditEvent.of(EventType.REQUEST_ALLOWED, Outcome.ALLOW)
                            .principal(TANAKA)
                            .routeId("api-search")
                            .approvalRef("8福第301号")
                            .transferId("t-" + i)
                            .build());
        }
        http = HttpClient.newBuilder()
                .sslContext(Tls.client(auditor.pkcs12File(), pki.caFile()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(fx.url("admin", pathAndQuery)))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<RecordedEvent> events(HttpResponse<String> r) {
        List<RecordedEvent> out = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(r.body())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) o;
            out.add(EventJson.toEvent(m));
        }
        return out;
    }

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    @Test
    void newestFirstPagesSayWhenTheyWereCutAndLinkTheNextOne() throws Exception {
        List<RecordedEvent> all = new ArrayList<>();
        String path = "/api/v1/audit/events?route=api-search&order=newest&limit=3";
        List<Integer> sizes = new ArrayList<>();
        while (path != null) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("["), "still a JSON array: " + r.body());
            List<RecordedEvent> page = events(r);
            all.addAll(page);
            sizes.add(page.size());
            boolean more = r.headers()
                    .firstValue("Sekisho-More")
                    .map(Boolean::parseBoolean)
                    .orElseThrow();
            String link = r.headers().firstValue("Link").orElse(null);
            assertEquals(
                    more,
                    link != null,
                    "a next link exactly when cut: " + r.headers().map());
            if (link == null) {
                path = null;
            } else {
                Matcher m = NEXT.matcher(link);
                assertTrue(m.matches(), link);
                path = m.group(1);
                assertTrue(path.startsWith("/api/v1/audit/events?") && path.contains("&before="), path);
                assertTrue(path.contains("route=api-search") && path.contains("limit=3"), path);
            }
        }
        assertEquals(List.of(3, 3, 1), sizes);
        assertEquals(7, new HashSet<>(all).size(), "every event once");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).time().compareTo(all.get(i).time()) >= 0, "newest first");
        }
        assertTrue(all.get(0).seq() > all.get(6).seq());
    }

    @Test
    void sinceApprovalAndAPrincipalWrittenTheOpenSslWay() throws Exception {
        String q = "since=1h&approval=" + enc("８福第３０１号") + "&principal=" + enc("/o=kurume city/cn=tanaka")
                + "&order=newest&limit=5";
        HttpResponse<String> r = get("/api/v1/audit/events?" + q);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(5, events(r).size());
        assertTrue(events(r).stream().allMatch(e -> TANAKA.equals(e.event().principal())));
        String link = r.headers().firstValue("Link").orElseThrow();
        assertTrue(link.contains("from=") && !link.contains("since="), "the window does not slide: " + link);
        Matcher m = NEXT.matcher(link);
        assertTrue(m.matches());
        assertEquals(2, events(get(m.group(1))).size());

        HttpResponse<String> jst = get(
                "/api/v1/audit/events?route=api-search&from=" + enc("2000-01-01 09:00") + "&to=" + enc("2100-01-01"));
        assertEquals(200, jst.statusCode(), jst.body());
        assertEquals(7, events(jst).size());
        assertEquals("false", jst.headers().firstValue("Sekisho-More").orElseThrow());
    }

    @Test
    void aBadSinceOrCursorIsQueryInvalidInJapaneseAndEnglishAndAudited() throws Exception {
        String[][] cases = {
            {"since=yesterday", "since: ", "must be a number and a unit"},
            {"since=1h&from=2026-12-01", "since/from: ", "give either since"},
            {"before=not-a-cursor", "before: ", "must be the cursor a previous page gave"},
            {"order=sideways", "order: ", "must be chain"},
            {"from=" + enc("2026-12-04 25:00"), "from: ", "not a time"}
        };
        for (String[] c : cases) {
            HttpResponse<String> r = get("/api/v1/audit/events?" + c[0]);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            Map<String, Object> p = Json.parseObject(r.body());
            assertEquals("QUERY_INVALID", p.get("reason"), r.body());
            String detail = String.valueOf(p.get("detail"));
            assertTrue(detail.startsWith(c[1]) && detail.contains(c[2]), c[0] + ": " + detail);
            assertTrue(
                    detail.codePoints()
                            .anyMatch(cp -> Character.UnicodeScript.of(cp) == Character.UnicodeScript.HIRAGANA
                                    || Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN
                                    || Character.UnicodeScript.of(cp) == Character.UnicodeScript.KATAKANA),
                    "Japanese first: " + detail);
        }
        RecordedEvent denied = fx.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "QUERY_INVALID".equals(e.event().reason())
                        && e.event().detailJson() != null
                        && e.event().detailJson().contains("since: "));
        assertNotNull(denied, "the refused search is audited");
    }

    @Test
    void theCliThroughTheGatewayPrintsTheNextPagesCommandAndItWorks() {
        String[] args = {
            "search",
            "--gateway",
            fx.url("admin", ""),
            "--identity",
            auditor.pkcs12File().toString(),
            "--route",
            "api-search",
            "--limit",
            "4"
        };
        Run first = run(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("4件を表示しました。続きがあります / 4 events shown; more match."), first.out());
        String command = first.out().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertTrue(command.startsWith("audit search --gateway " + fx.url("admin", "") + " --identity "), command);
        assertTrue(command.contains(" --before "), command);
        List<String> words = List.of(command.split(" "));
        Run second = run(words.subList(1, words.size()).toArray(String[]::new));
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("3件（条件に合うのはこれで全部です）/ 3 events (all that match)"), second.out());
        assertFalse(second.out().contains("t-6"), "the newest were on the first page: " + second.out());
        assertTrue(first.out().contains("t-6") && second.out().contains("t-0"), first.out() + second.out());
    }

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
