package jp.sekisho.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.Tls;

/**
 * A gateway for the audit pages' tests: real PostgreSQL (embedded), mutual TLS, one client per
 * person (two auditors, an operator, a secretariat member), and what the tests read off a page.
 */
final class AuditConsole implements AutoCloseable {

    final TestPki pki;
    final GatewayFixture fx;
    private final Map<String, HttpClient> clients = new HashMap<>();
    private final Map<String, Credential> creds = new HashMap<>();

    private AuditConsole(TestPki pki, GatewayFixture fx) {
        this.pki = pki;
        this.fx = fx;
    }

    static AuditConsole start(Path dir) throws Exception {
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        StringBuilder principals = new StringBuilder();
        Map<String, Credential> creds = new HashMap<>();
        for (String[] p : new String[][] {
            {"auditor", "auditor"}, {"auditor2", "auditor"}, {"operator", "operator"}, {"secretariat", "secretariat"}
        }) {
            Credential c = pki.client(p[0]);
            creds.put(p[0], c);
            principals
                    .append("  - { subject: \"")
                    .append(c.certificate().getSubjectX500Principal().getName())
                    .append("\", roles: [")
                    .append(p[1])
                    .append("] }\n");
        }
        GatewayFixture fx = GatewayFixture.start(
                dir.resolve("gw"),
                pki,
                "  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }\n"
                        + "  admin: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }\n",
                principals.toString());
        AuditConsole c = new AuditConsole(pki, fx);
        for (Map.Entry<String, Credential> e : creds.entrySet()) {
            c.creds.put(e.getKey(), e.getValue());
            c.clients.put(
                    e.getKey(),
                    HttpClient.newBuilder()
                            .sslContext(Tls.client(e.getValue().pkcs12File(), pki.caFile()))
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build());
        }
        return c;
    }

    HttpClient client(String who) {
        return clients.get(who);
    }

    String subject(String who) {
        return creds.get(who).certificate().getSubjectX500Principal().getName();
    }

    HttpResponse<String> get(String who, String path) throws Exception {
        return clients.get(who)
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String who, String path, String form) throws Exception {
        return clients.get(who)
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url("admin", path)))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(form))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until every event recorded so far is in the store. */
    void flush() {
        fx.store.postgresLog().flush(Duration.ofSeconds(30));
    }

    /** The stored event with this request id (tests give each event they write one). */
    RecordedEvent stored(String requestId) {
        flush();
        return fx.store.reader().search(AuditQuery.all().limit(10_000), GatewayFixture.TEST_READER).stream()
                .filter(e -> requestId.equals(e.event().requestId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stored event " + requestId));
    }

    /** The AUDIT_READ events recorded in {@code who}'s name so far. */
    List<RecordedEvent> auditReads(String who) {
        flush();
        String subject = subject(who);
        return fx
                .store
                .reader()
                .search(AuditQuery.all().types(Set.of(EventType.AUDIT_READ)).limit(10_000), GatewayFixture.TEST_READER)
                .stream()
                .filter(e -> e.event().principal() != null
                        && subject.equals(e.event().principal().subject()))
                .toList();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The page's CSRF token (hidden field {@code _csrf}). */
    static String csrf(String html) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "a form with its token");
        return m.group(1);
    }

    /** One row of {@code #events} or {@code #live-events}. */
    record Row(boolean deny, String node, long seq) {}

    private static final Pattern ROW =
            Pattern.compile("<tr class=\"event( deny)?\" data-node=\"([^\"]*)\" data-seq=\"(\\d+)\"");

    static List<Row> rows(String html) {
        List<Row> out = new ArrayList<>();
        Matcher m = ROW.matcher(html);
        while (m.find()) {
            out.add(new Row(m.group(1) != null, m.group(2), Long.parseLong(m.group(3))));
        }
        return out;
    }

    /** The value of attribute {@code name} on the element with id {@code id}, unescaped for &amp;. */
    static String attr(String html, String id, String name) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*?\\s" + name + "=\"([^\"]*)\"")
                .matcher(html);
        return m.find() ? m.group(1).replace("&amp;", "&") : null;
    }

    /** The text of the element with id {@code id} (no nested markup expected). */
    static String text(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(html);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        fx.close();
    }
}
