package jp.sekisho.gateway.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.sekisho.audit.EventType;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.transfer.Tls;
import jp.sekisho.gateway.transfer.TransferWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's routes pages on a real gateway over mutual TLS, with real uploads: a route's state
 * is the one admission refuses with (ACTIVE, then APPROVAL_SUSPENDED once suspended), its parties
 * with their CIDRs, its transfers in flight and ended; only the secretariat and operators see the
 * pages; an unknown route is a ROUTE_UNKNOWN page; values from outside are shown as text.
 */
class RoutePagesTest {

    static final String HOSTILE_REF = "R-<b>\"&'x";
    static final String HOSTILE_SUBJECT = "CN=<script>alert(1)</script>,O=\"x&y\"";
    static final String HOSTILE_FILE = "<img src=x onerror=alert(3)>.csv";

    @TempDir
    static Path dir;

    static TransferWorld w;
    static final Map<String, HttpClient> clients = new HashMap<>();
    static String stored;
    static String uploading;
    static String aborted;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir, TransferWorld.LISTENERS, TransferWorld.PRINCIPALS, List.of());
        w.approve("R-benefit", 1000);
        w.approve("R-stop", 1000);
        Approval d = TransferWorld.draft(HOSTILE_REF, 10);
        assertInstanceOf(
                DecisionOutcome.Applied.class,
                w.gw.gateway
                        .policy()
                        .approvals()
                        .create(
                                new Approval(
                                        d.ref(),
                                        "<script>alert('title')</script>",
                                        d.legalBasis(),
                                        d.departments(),
                                        d.contractor(),
                                        d.subcontractors(),
                                        d.dataItems(),
                                        d.maxRecords(),
                                        d.validFrom(),
                                        d.validUntil(),
                                        d.conditions(),
                                        d.meetingRef(),
                                        d.status(),
                                        null,
                                        null,
                                        1),
                                TransferWorld.ALICE));
        String recipient = Files.readString(w.pki.dir().resolve("contractor-enc.pem"));
        Party city = new Party("CN=city-sender,O=Sekisho", null, List.of("127.0.0.1/32"));
        Party contractor = new Party("CN=contractor,O=Sekisho", null, List.of("127.0.0.1/32", "10.20.0.0/16"));
        List<Route> routes = List.of(
                new Route(
                        "benefit",
                        "transfer",
                        "R-benefit",
                        List.of(city),
                        List.of(contractor),
                        List.of(recipient),
                        8L << 20,
                        Duration.ofDays(7),
                        false),
                new Route(
                        "stopper",
                        "transfer",
                        "R-stop",
                        List.of(city),
                        List.of(contractor),
                        List.of(recipient),
                        8L << 20,
                        Duration.ofDays(7),
                        false),
                new Route(
                        "hostile",
                        "transfer",
                        HOSTILE_REF,
                        List.of(new Party(HOSTILE_SUBJECT, null, List.of("127.0.0.1/32"))),
                        List.of(contractor),
                        List.of(recipient),
                        8L << 20,
                        Duration.ofHours(36),
                        false));
        assertInstanceOf(
                RouteService.Applied.Done.class,
                w.gw.gateway.policy().routes().apply(routes, TransferWorld.ALICE, false));
        for (String who : List.of("secretariat", "operator", "auditor", "city-sender")) {
            clients.put(
                    who,
                    HttpClient.newBuilder()
                            .sslContext(Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()))
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build());
        }

        // a real upload, stored; one created and left uploading; one the sender deleted (ABORTED)
        Path envelope = w.seal("residents.cms", 200_000, "contractor-enc", ContentCipher.AES_256_GCM);
        String loc = create("benefit", Files.size(envelope), "residents.csv", sha256(envelope), 305);
        HttpResponse<String> patch = send(
                "city-sender",
                HttpRequest.newBuilder(URI.create(transferUrl(loc)))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Offset", "0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .method("PATCH", HttpRequest.BodyPublishers.ofFile(envelope)));
        assertEquals(204, patch.statusCode(), patch.body());
        stored = idOf(loc);
        uploading = idOf(create("benefit", 5000, HOSTILE_FILE, "ab".repeat(32), 7));
        String abortLoc = create("benefit", 5000, "mistake.csv", "cd".repeat(32), 3);
        HttpResponse<String> delete = send(
                "city-sender",
                HttpRequest.newBuilder(URI.create(transferUrl(abortLoc)))
                        .header("Tus-Resumable", "1.0.0")
                        .DELETE());
        assertEquals(204, delete.statusCode(), delete.body());
        aborted = idOf(abortLoc);
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    static String transferUrl(String path) {
        return "https://127.0.0.1:" + w.gw.gateway.port("transfer") + path;
    }

    static HttpResponse<String> send(String who, HttpRequest.Builder b) throws Exception {
        return clients.get(who).send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> page(String who, String path) throws Exception {
        return send(who, HttpRequest.newBuilder(URI.create(w.gw.url("admin", path))));
    }

    static String create(String route, long length, String filename, String sha256, long records) throws Exception {
        HttpResponse<String> r = send(
                "city-sender",
                HttpRequest.newBuilder(URI.create(transferUrl("/api/v1/routes/" + route + "/uploads")))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", Long.toString(length))
                        .header(
                                "Upload-Metadata",
                                "filename " + b64(filename) + ",sha256 " + b64(sha256) + ",records "
                                        + b64(Long.toString(records)))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(201, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElseThrow();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String idOf(String location) {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    /** The element with this id, up to its closing tag (the pages do not nest an element in one of its own kind). */
    static String element(String html, String id) {
        Matcher m = Pattern.compile("<(\\w+)[^>]*\\bid=\"" + Pattern.quote(id) + "\"")
                .matcher(html);
        assertTrue(m.find(), "no #" + id + " in\n" + html);
        int end = html.indexOf("</" + m.group(1) + ">", m.end());
        return html.substring(m.start(), end);
    }

    /** The row with this attribute value. */
    static String row(String html, String attribute, String value) {
        int at = html.indexOf(attribute + "=\"" + value + "\"");
        assertTrue(at >= 0, "no row " + attribute + "=" + value + " in\n" + html);
        int start = html.lastIndexOf("<tr", at);
        return html.substring(start, html.indexOf("</tr>", at));
    }

    @Test
    void theListShowsEachRouteWithItsLiveStateApprovalListenerAndCounts() throws Exception {
        HttpResponse<String> r = page("secretariat", "/console/routes");
        assertEquals(200, r.statusCode(), r.body());
        String table = element(r.body(), "routes");
        String benefit = row(table, "data-route", "benefit");
        assertTrue(benefit.contains("class=\"route-state\" data-state=\"ACTIVE\""), benefit);
        assertTrue(benefit.contains("href=\"/console/routes/benefit\""), benefit);
        assertTrue(benefit.contains("href=\"/console/approvals/R-benefit\""), benefit);
        assertTrue(benefit.contains(">transfer<"), benefit);
        // in flight: the stored and the uploading one; ended within 30 days: none delivered, one aborted
        assertTrue(
                benefit.replaceAll("\\s+", " ")
                        .contains("<td class=\"num\">2</td> <td class=\"num\">0</td> <td class=\"num\">1</td>"),
                benefit);
        String hostile = row(table, "data-route", "hostile");
        assertTrue(hostile.contains("data-state=\"APPROVAL_PENDING\""), hostile);
        assertTrue(hostile.contains("承認待ち"), "Japanese by default: " + hostile);
    }

    @Test
    void aRoutesPageShowsStateListenerPartiesAndTransfers() throws Exception {
        HttpResponse<String> r = page("operator", "/console/routes/benefit");
        assertEquals(200, r.statusCode(), r.body());
        String html = r.body();
        assertTrue(html.contains("<title>経路 benefit"), html);
        String state = element(html, "route-state");
        assertTrue(state.contains("data-state=\"ACTIVE\"") && state.contains("badge-ACTIVE"), state);
        assertTrue(state.contains("運用中") && state.contains("active: its approval is in force"), state);

        String listener = element(html, "listener");
        assertTrue(listener.contains("127.0.0.1:" + w.gw.gateway.port("transfer")), listener);

        String senders = element(html, "senders");
        assertTrue(senders.contains("CN=city-sender,O=Sekisho") && senders.contains("127.0.0.1/32"), senders);
        String receivers = element(html, "receivers");
        assertTrue(
                receivers.contains("CN=contractor,O=Sekisho")
                        && receivers.contains("127.0.0.1/32")
                        && receivers.contains("10.20.0.0/16"),
                receivers);
        assertFalse(senders.contains("CN=contractor"), "each side lists its own parties");

        String inFlight = element(html, "transfers-in-flight");
        String s = row(inFlight, "data-transfer", stored);
        assertTrue(s.contains("data-state=\"STORED\"") && s.contains("residents.csv") && s.contains(">305<"), s);
        assertTrue(s.contains("CN=city-sender,O=Sekisho"), s);
        String u = row(inFlight, "data-transfer", uploading);
        assertTrue(u.contains("data-state=\"UPLOADING\"") && u.contains(">7<"), u);
        assertTrue(u.contains("0 B / 4.9 KiB"), "an upload shows how much has arrived: " + u);
        assertTrue(inFlight.indexOf(uploading) < inFlight.indexOf(stored), "newest first");
        assertFalse(inFlight.contains(aborted), "an ended transfer is not in flight");
        assertTrue(
                Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}")
                        .matcher(s)
                        .find(),
                "started, in JST to the second: " + s);

        String recent = element(html, "transfers-recent");
        String a = row(recent, "data-transfer", aborted);
        assertTrue(a.contains("data-state=\"ABORTED\"") && a.contains("TERMINATED_BY_SENDER"), a);
        assertTrue(a.contains("送信元が中止") && a.contains("mistake.csv"), a);
        assertFalse(recent.contains(stored), recent);
    }

    @Test
    void aSuspendedApprovalShowsTheReasonAdmissionRefusesWith() throws Exception {
        String before = element(page("secretariat", "/console/routes/stopper").body(), "route-state");
        assertTrue(before.contains("data-state=\"ACTIVE\""), before);

        w.decide("R-stop", Decision.SUSPEND);
        HttpResponse<String> refused = send(
                "city-sender",
                HttpRequest.newBuilder(URI.create(transferUrl("/api/v1/routes/stopper/uploads")))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", "100")
                        .header(
                                "Upload-Metadata",
                                "filename " + b64("x.csv") + ",sha256 " + b64("ab".repeat(32)) + ",records " + b64("1"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("APPROVAL_SUSPENDED"), refused.body());

        HttpResponse<String> r = page("secretariat", "/console/routes/stopper");
        String state = element(r.body(), "route-state");
        assertTrue(state.contains("data-state=\"APPROVAL_SUSPENDED\""), state);
        assertTrue(state.contains("承認停止中") && state.contains("the route's approval is suspended"), state);
        assertTrue(state.contains("再開"), "what to do next: " + state);
        String list = page("operator", "/console/routes").body();
        assertTrue(row(list, "data-route", "stopper").contains("data-state=\"APPROVAL_SUSPENDED\""), list);

        String en = page("secretariat", "/console/routes/stopper?lang=en").body();
        assertTrue(en.contains("<html lang=\"en\">") && en.contains("This route carries no data now"), en);
    }

    @Test
    void anUnknownRouteIsAPageWithItsReasonAndIsAudited() throws Exception {
        HttpResponse<String> r = page("secretariat", "/console/routes/no-such-route");
        assertEquals(404, r.statusCode(), r.body());
        String error = element(r.body(), "error");
        assertTrue(error.contains("ROUTE_UNKNOWN") && error.contains("no-such-route"), error);
        assertNotNull(w.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "ROUTE_UNKNOWN".equals(e.event().reason())
                        && e.event().detailJson().contains("/console/routes/no-such-route")));

        HttpResponse<String> invalid = page("secretariat", "/console/routes/No_Such");
        assertEquals(400, invalid.statusCode(), invalid.body());
        assertTrue(invalid.body().contains("ID_INVALID"), invalid.body());
    }

    @Test
    void onlyTheSecretariatAndOperatorsSeeRoutes() throws Exception {
        for (String path : List.of("/console/routes", "/console/routes/benefit")) {
            for (String who : List.of("auditor", "city-sender")) {
                HttpResponse<String> r = page(who, path);
                assertEquals(403, r.statusCode(), who + " " + path + ": " + r.body());
                assertTrue(r.body().contains("ROLE_REQUIRED"), r.body());
                assertFalse(r.body().contains("CN=city-sender"), "nothing of the route leaks");
            }
            assertNotNull(w.gw.awaitEvent(
                    EventType.REQUEST_DENIED,
                    e -> "ROLE_REQUIRED".equals(e.event().reason())
                            && e.event().principal().subject().startsWith("CN=auditor")
                            && e.event().detailJson().contains("\"path\":\"" + path + "\"")));
        }
    }

    @Test
    void valuesFromOutsideAreShownAsText() throws Exception {
        String html = page("secretariat", "/console/routes/hostile").body();
        assertFalse(html.contains("<script>alert") || html.contains("<img src=x") || html.contains("<b>\""), html);
        assertTrue(html.contains("CN=&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("&lt;script&gt;alert('title')&lt;/script&gt;"), html);
        assertTrue(html.contains("href=\"/console/approvals/R-%3Cb%3E%22%26%27x\""), html);
        assertTrue(html.contains(">R-&lt;b&gt;\"&amp;'x<"), "text escapes markup; quotes are harmless there: " + html);
        assertTrue(element(html, "listener").contains("36"), "a retention of 36 hours");

        String benefit = page("operator", "/console/routes/benefit").body();
        assertFalse(benefit.contains("<img src=x"), benefit);
        assertTrue(benefit.contains("&lt;img src=x onerror=alert(3)&gt;.csv"), benefit);
        String list = page("operator", "/console/routes").body();
        assertFalse(list.contains("<script>alert"), list);
    }
}
