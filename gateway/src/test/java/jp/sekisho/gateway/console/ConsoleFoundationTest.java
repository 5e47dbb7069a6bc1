package jp.sekisho.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's frame on a real gateway over mutual TLS: the certificate is the login and the
 * navigation shows only what its roles allow; every page carries the strict headers; the language
 * switch is remembered; a state-changing request from another site is refused (CSRF_REJECTED) and
 * audited before any controller reads it; a sender's certificate gets no console at all.
 */
class ConsoleFoundationTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static GatewayFixture fx;
    static Map<String, HttpClient> clients = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        StringBuilder principals = new StringBuilder();
        for (String[] p : new String[][] {
            {"auditor", "auditor"}, {"operator", "operator"}, {"secretariat", "secretariat"}, {"city", "sender"}
        }) {
            Credential c = pki.client(p[0]);
            principals
                    .append("  - { subject: \"")
                    .append(c.certificate().getSubjectX500Principal().getName())
                    .append("\", roles: [")
                    .append(p[1])
                    .append("] }\n");
            clients.put(
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
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> get(String who, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fx.url("admin", path)));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return clients.get(who).send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theCertificateIsTheLoginAndTheNavigationFollowsTheRoles() throws Exception {
        HttpResponse<String> auditor = get("auditor", "/console/");
        assertEquals(200, auditor.statusCode(), auditor.body());
        assertTrue(auditor.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String html = auditor.body();
        assertTrue(html.contains("<html lang=\"ja\">"), "Japanese by default");
        assertTrue(html.contains("id=\"whoami\"") && html.contains("CN=auditor") && html.contains("監査担当"), html);
        assertTrue(html.contains("href=\"/console/audit\""), html);
        assertFalse(html.contains("href=\"/console/operations\""), "an auditor is not offered the operations page");

        String operator = get("operator", "/console/").body();
        assertTrue(operator.contains("href=\"/console/operations\"") && !operator.contains("href=\"/console/audit\""));

        HttpResponse<String> sender = get("city", "/console/");
        assertEquals(403, sender.statusCode(), "a sender's certificate has no console");
        assertTrue(sender.body().contains("ROLE_REQUIRED"), sender.body());
        assertFalse(sender.body().contains("whoami"));
    }

    @Test
    void aBrowserIsRefusedWithAPageAndTheRefusalIsAuditedOnce() throws Exception {
        HttpResponse<String> r = get("city", "/console/", "Accept", "text/html,application/xhtml+xml");
        assertEquals(403, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(
                r.body().contains("id=\"error\"")
                        && r.body().contains("ROLE_REQUIRED")
                        && r.body().contains("権限なし"),
                r.body());
        assertFalse(r.body().contains("href=\"/console/audit\""), "a refused certificate is offered nothing");
        String requestId = r.headers()
                .firstValue("X-Request-Id")
                .orElseThrow(() -> new AssertionError(r.headers().map()));
        fx.awaitEvent(EventType.REQUEST_DENIED, e -> requestId.equals(e.event().requestId()));
        fx.store.postgresLog().flush(java.time.Duration.ofSeconds(30));
        long n = fx.store.reader().search(jp.sekisho.audit.read.AuditQuery.all(), GatewayFixture.TEST_READER).stream()
                .filter(e -> requestId.equals(e.event().requestId()))
                .count();
        assertEquals(1, n, "one request, one audit event");
    }

    @Test
    void anotherSiteMayLinkToThePagesButNotLoadThemBehindThePersonsBack() throws Exception {
        HttpResponse<String> link =
                get("auditor", "/console/", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate");
        assertEquals(200, link.statusCode(), "a person following a link from elsewhere");
        HttpResponse<String> img =
                get("auditor", "/console/", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors");
        assertEquals(403, img.statusCode(), "an <img> or fetch made by another site");
        assertTrue(img.body().contains("CSRF_REJECTED"), img.body());
        HttpResponse<String> same =
                get("auditor", "/console/", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Mode", "cors");
        assertEquals(200, same.statusCode(), "the console's own scripts");
    }

    @Test
    void everyPageCarriesTheStrictHeaders() throws Exception {
        for (String path : new String[] {"/console/", "/console/assets/console.css"}) {
            HttpResponse<String> r = get("secretariat", path);
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
            assertFalse(csp.contains("unsafe-inline"), csp);
            assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        }
        String home = get("secretariat", "/console/").body();
        assertFalse(
                home.contains("<script>") || home.contains(" style=") || home.contains("onclick"), "nothing inline");
        assertEquals(
                404,
                get("secretariat", "/console/assets/..%2Fmessages_ja.properties")
                        .statusCode());
        assertEquals(404, get("secretariat", "/console/assets/other.css").statusCode());
    }

    @Test
    void theLanguageSwitchIsRemembered() throws Exception {
        HttpResponse<String> en = get("auditor", "/console/?lang=en");
        assertTrue(en.body().contains("<html lang=\"en\">") && en.body().contains("Audit log"), en.body());
        String cookie = en.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(
                cookie.startsWith("sekisho_lang=en")
                        && cookie.contains("Secure")
                        && cookie.toLowerCase(java.util.Locale.ROOT).contains("httponly"),
                cookie);
        HttpResponse<String> again = get("auditor", "/console/", "Cookie", "sekisho_lang=en");
        assertTrue(again.body().contains("<html lang=\"en\">"));
        assertTrue(again.body().contains("id=\"lang-switch\" href=\"/console/?lang=ja\""), again.body());
    }

    @Test
    void aRequestThatAnotherSiteMadeTheBrowserSendIsRefusedAndAudited() throws Exception {
        for (String[] h : new String[][] {{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}}) {
            HttpResponse<String> r = clients.get("secretariat")
                    .send(
                            HttpRequest.newBuilder(URI.create(fx.url("admin", "/console/")))
                                    .header(h[0], h[1])
                                    .header("Content-Type", "application/x-www-form-urlencoded")
                                    .POST(HttpRequest.BodyPublishers.ofString("a=b"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains("CSRF_REJECTED"), r.body());
            RecordedEvent e = fx.awaitEvent(
                    EventType.REQUEST_DENIED,
                    x -> "CSRF_REJECTED".equals(x.event().reason())
                            && x.event().detailJson().contains(h[1])
                            && x.event().principal().subject().startsWith("CN=secretariat"));
            assertTrue(
                    e.event().principal().subject().startsWith("CN=secretariat"),
                    e.event().principal().subject());
        }
    }
}
