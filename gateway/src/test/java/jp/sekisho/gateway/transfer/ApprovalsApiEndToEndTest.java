package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.json.Json;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.approval.ApprovalUsage;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionPreview;
import jp.sekisho.gateway.approval.RouteEffect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's approvals API on a real gateway, real mutual TLS and real PostgreSQL: usage counted
 * after a real upload, the preview of a decision's effect on the routes (nothing changed), era dates
 * and Japanese item labels, full-width reference numbers, conditions given at the decision and
 * stored on confirmation, withdraw, and the unknown decision's error naming every choice.
 */
class ApprovalsApiEndToEndTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static ApprovalService service;
    static HttpClient alice;
    static HttpClient bob;
    static HttpClient operator;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-usage", 1000);
        w.pending("R-mistake");
        w.routes("routes:\n" + TransferWorld.route("usage-route", "R-usage", null)
                + TransferWorld.route("mistake-route", "R-mistake", null));
        service = w.gw.gateway.policy().approvals();
        alice = http("secretariat");
        bob = http("secretariat2");
        operator = http("operator");
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    static HttpClient http(String who) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    record Answer(int status, String body) {
        Map<String, Object> json() {
            return Json.parseObject(body);
        }
    }

    static Answer call(HttpClient c, String method, String path, String json) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(w.gw.url("admin", path))).timeout(Duration.ofSeconds(20));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(r.statusCode(), r.body());
    }

    static String enc(String ref) {
        return URLEncoder.encode(ref, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String draft(String ref, String from, String until, String items, String due) {
        return "{\"ref\":\"" + ref + "\",\"title\":\"住民情報の提供\",\"legalBasis\":\"条例第10条第1項第2号\","
                + "\"departments\":[\"市民課\"],\"contractor\":\"株式会社テスト\",\"subcontractors\":[],"
                + "\"dataItems\":" + items + ",\"maxRecords\":1000,\"validFrom\":\"" + from + "\",\"validUntil\":\""
                + until + "\",\"conditions\":{\"text\":\"\",\"deleteAfterDelivery\":false,\"deletionReportDue\":"
                + (due == null ? "null" : "\"" + due + "\"") + "},\"meetingRef\":\"第3回審議会\"}";
    }

    @Test
    void usageCountsTheTransfersAndRecordsThatPassedAfterARealSend() throws Exception {
        assertEquals(ApprovalUsage.NONE, service.usage("R-usage"));
        TusClient sender = w.client("city-sender");
        Path envelope = w.seal("usage.csv.cms", 20_000, "contractor-enc", ContentCipher.AES_256_GCM);
        HttpResponse<String> created = sender.create(
                "usage-route",
                Files.size(envelope),
                TusClient.metadata("usage.csv.cms", TusClient.sha256(envelope), 42));
        assertEquals(201, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> last = sender.upload(location, envelope, 1 << 20);
        assertEquals(204, last.statusCode(), last.body());
        String id = location.substring(location.lastIndexOf('/') + 1);
        assertNotNull(w.gw.awaitEvent(
                EventType.TRANSFER_STORED, e -> id.equals(e.event().transferId())));

        // a refused upload (more records than approved) passes nothing and counts for nothing
        HttpResponse<String> tooMany = sender.create(
                "usage-route",
                Files.size(envelope),
                TusClient.metadata("many.csv.cms", TusClient.sha256(envelope), 1001));
        assertTrue(tooMany.statusCode() >= 400, tooMany.body());

        await().atMost(Duration.ofSeconds(5))
                .until(() -> service.usage("R-usage").transfers() == 1);
        assertEquals(new ApprovalUsage(1, 42), service.usage("R-usage"));
        Answer one = call(alice, "GET", "/api/v1/approvals/R-usage", null);
        assertEquals(200, one.status(), one.body());
        Map<?, ?> usage = (Map<?, ?>) one.json().get("usage");
        assertEquals("1", usage.get("transfers").toString());
        assertEquals("42", usage.get("records").toString());
        Answer list = call(operator, "GET", "/api/v1/approvals", null);
        assertEquals(200, list.status(), list.body());
        assertTrue(list.body().contains("\"usage\":{\"transfers\":1,\"records\":42}"), list.body());
        assertTrue(list.body().contains("\"usage\":{\"transfers\":0,\"records\":0}"), "R-mistake: " + list.body());
    }

    @Test
    void aPreviewNamesTheRouteThatWouldStopAndChangesNothing() throws Exception {
        Map<String, Object> before =
                call(alice, "GET", "/api/v1/approvals/R-usage", null).json();
        Answer p = call(alice, "GET", "/api/v1/approvals/R-usage/preview?decision=suspend", null);
        assertEquals(200, p.status(), p.body());
        Map<String, Object> preview = p.json();
        assertEquals("APPROVED", preview.get("statusBefore"));
        assertEquals("SUSPENDED", preview.get("statusAfter"));
        assertEquals(false, preview.get("needsSecondPerson"), "stopping never waits");
        List<?> routes = (List<?>) preview.get("routes");
        assertEquals(1, routes.size(), p.body());
        Map<?, ?> r = (Map<?, ?>) routes.get(0);
        assertEquals("usage-route", r.get("routeId"));
        assertEquals("ACTIVE", r.get("stateBefore"));
        assertEquals("APPROVAL_SUSPENDED", r.get("stateAfter"));
        assertEquals("経路 usage-route はデータを運ばなくなります / route usage-route will stop carrying data", r.get("effect"));

        Map<String, Object> after =
                call(alice, "GET", "/api/v1/approvals/R-usage", null).json();
        assertEquals(before.get("version"), after.get("version"), "nothing changed");
        assertEquals("APPROVED", after.get("status"));
        assertEquals(
                "ACTIVE",
                w.gw.gateway
                        .policy()
                        .watcher()
                        .current()
                        .stateOf(
                                w.gw.gateway
                                        .policy()
                                        .watcher()
                                        .current()
                                        .route("usage-route")
                                        .orElseThrow(),
                                Instant.now())
                        .name());

        DecisionPreview revoke = service.preview("R-usage", Decision.REVOKE, Instant.now());
        assertEquals(List.of(new RouteEffect("usage-route", "ACTIVE", "APPROVAL_REVOKED")), revoke.changes());
        assertTrue(revoke.changes().get(0).stops());

        Answer illegal = call(alice, "GET", "/api/v1/approvals/R-usage/preview?decision=reinstate", null);
        assertEquals(409, illegal.status(), illegal.body());
        assertTrue(illegal.body().contains("ILLEGAL_TRANSITION"), illegal.body());
        Answer unknown = call(alice, "GET", "/api/v1/approvals/R-none/preview?decision=suspend", null);
        assertEquals(404, unknown.status(), unknown.body());
        Answer notSecretariat = call(operator, "GET", "/api/v1/approvals/R-usage/preview?decision=suspend", null);
        assertEquals(403, notSecretariat.status(), notSecretariat.body());
        assertTrue(notSecretariat.body().contains("ROLE_REQUIRED"), notSecretariat.body());
    }

    @Test
    void eraDatesJapaneseLabelsAndFullWidthReferencesThroughTheApi() throws Exception {
        Answer created = call(
                alice,
                "POST",
                "/api/v1/approvals",
                draft("８福第３０１号", "令和8年4月1日", "R9.3.31", "[\"氏名\",\"Address\",\"birth_date\"]", "令和9年4月30日"));
        assertEquals(201, created.status(), created.body());
        Map<?, ?> a = (Map<?, ?>) created.json().get("approval");
        assertEquals("8福第301号", a.get("ref"));
        assertEquals("2026-04-01", a.get("validFrom"));
        assertEquals("2027-03-31", a.get("validUntil"));
        assertEquals(List.of("name", "address", "birth_date"), a.get("dataItems"));
        assertEquals(Map.of("code", "name", "japanese", "氏名", "english", "Name"), ((List<?>) a.get("items")).get(0));
        assertEquals("2027-04-30", ((Map<?, ?>) a.get("conditions")).get("deletionReportDue"));

        Answer twice = call(
                bob, "POST", "/api/v1/approvals", draft("8福第301号", "2026-04-01", "2027-03-31", "[\"name\"]", null));
        assertEquals(409, twice.status(), twice.body());
        assertTrue(twice.body().contains("APPROVAL_EXISTS"), twice.body());
        Answer byFullWidth = call(operator, "GET", "/api/v1/approvals/" + enc("８福第３０１号"), null);
        assertEquals(200, byFullWidth.status(), byFullWidth.body());
        assertEquals("8福第301号", byFullWidth.json().get("ref"));
        Answer history = call(operator, "GET", "/api/v1/approvals/" + enc("８福第３０１号") + "/history", null);
        assertEquals(200, history.status(), history.body());

        Answer noSuchDay =
                call(alice, "POST", "/api/v1/approvals", draft("R-date", "令和8年2月30日", "R9.3.31", "[\"name\"]", null));
        assertEquals(400, noSuchDay.status(), noSuchDay.body());
        assertTrue(
                noSuchDay.body().contains("DATE_INVALID")
                        && noSuchDay.body().contains("validFrom")
                        && noSuchDay.body().contains("存在しない日付です / no such date"),
                noSuchDay.body());
        assertNotNull(
                w.gw.awaitEvent(
                        EventType.REQUEST_DENIED,
                        e -> "DATE_INVALID".equals(e.event().reason())),
                "the refusal is audited");
        Answer notADate =
                call(alice, "POST", "/api/v1/approvals", draft("R-date", "2026-04-01", "来年の3月", "[\"name\"]", null));
        assertEquals(400, notADate.status(), notADate.body());
        assertTrue(notADate.body().contains("validUntil") && notADate.body().contains("令和9年1月1日"), notADate.body());

        Answer unknownItem =
                call(alice, "POST", "/api/v1/approvals", draft("R-item", "2026-04-01", "2027-03-31", "[\"氏明\"]", null));
        assertEquals(400, unknownItem.status(), unknownItem.body());
        assertTrue(
                unknownItem.body().contains("INVALID_APPROVAL")
                        && unknownItem.body().contains("unknown data item '氏明'")
                        && unknownItem.body().contains("氏名 (name)"),
                unknownItem.body());
    }

    @Test
    void conditionsGivenAtTheDecisionAreShownToTheConfirmerAndStoredOnConfirmation() throws Exception {
        w.pending("R-cond");
        String base = "/api/v1/approvals/R-cond";
        Answer without = call(
                alice, "POST", base + "/decisions", "{\"decision\":\"approve-with-conditions\",\"reason\":\"条件付き\"}");
        assertEquals(400, without.status(), without.body());
        assertTrue(without.body().contains("CONDITIONS_REQUIRED"), without.body());
        Answer badDate = call(
                alice,
                "POST",
                base + "/decisions",
                "{\"decision\":\"approve-with-conditions\",\"reason\":\"条件付き\",\"conditions\":"
                        + "{\"text\":\"t\",\"deleteAfterDelivery\":true,\"deletionReportDue\":\"R9.2.30\"}}");
        assertEquals(400, badDate.status(), badDate.body());
        assertTrue(badDate.body().contains("DATE_INVALID"), badDate.body());

        Answer decided = call(
                alice,
                "POST",
                base + "/decisions",
                "{\"decision\":\"approve-with-conditions\",\"reason\":\"第3回審議会で条件付き承認\",\"conditions\":"
                        + "{\"text\":\"納品後30日以内に廃棄し報告すること\",\"deleteAfterDelivery\":true,"
                        + "\"deletionReportDue\":\"R9.4.30\"}}");
        assertEquals(202, decided.status(), decided.body());
        assertTrue(decided.body().contains("第二の委員の確認待ち"), decided.body());
        Map<String, Object> waiting = call(bob, "GET", base, null).json();
        Map<?, ?> pending = (Map<?, ?>) waiting.get("pending");
        assertEquals(
                Map.of("text", "納品後30日以内に廃棄し報告すること", "deleteAfterDelivery", true, "deletionReportDue", "2027-04-30"),
                pending.get("conditions"),
                "the confirmer sees the conditions");
        Object textNow = ((Map<?, ?>) waiting.get("conditions")).get("text"); // empty text is left out
        assertTrue(textNow == null || "".equals(textNow), "not in force before confirmation: " + textNow);

        Answer confirmed = call(bob, "POST", base + "/confirmations", "{\"reason\":\"確認\"}");
        assertEquals(200, confirmed.status(), confirmed.body());
        Map<?, ?> a = (Map<?, ?>) confirmed.json().get("approval");
        assertEquals("APPROVED_WITH_CONDITIONS", a.get("status"));
        assertEquals("納品後30日以内に廃棄し報告すること", ((Map<?, ?>) a.get("conditions")).get("text"));
        assertEquals(true, ((Map<?, ?>) a.get("conditions")).get("deleteAfterDelivery"));
        Answer history = call(operator, "GET", base + "/history", null);
        assertTrue(
                history.body().contains("\"decision\":\"approve-with-conditions\"")
                        && history.body().contains("納品後30日以内に廃棄し報告すること")
                        && history.body().contains("\"confirmedBy\":\"CN=secretariat2,O=Sekisho\""),
                history.body());
    }

    @Test
    void withdrawClosesAPendingRecordItsRouteCarriesNothingAndAnUnknownDecisionNamesTheChoices() throws Exception {
        String base = "/api/v1/approvals/R-mistake";
        Answer unknown = call(alice, "POST", base + "/decisions", "{\"decision\":\"cancel\",\"reason\":\"x\"}");
        assertEquals(400, unknown.status(), unknown.body());
        assertTrue(
                unknown.body().contains("UNKNOWN_DECISION")
                        && unknown.body().contains("取下げ withdraw")
                        && unknown.body().contains("条件付き承認 approve-with-conditions")
                        && unknown.body().contains("the decision must be one of"),
                unknown.body());
        Answer unknownPreview = call(alice, "GET", base + "/preview?decision=cancel", null);
        assertEquals(400, unknownPreview.status(), unknownPreview.body());
        assertTrue(unknownPreview.body().contains("取下げ withdraw"), unknownPreview.body());

        Answer preview = call(alice, "GET", base + "/preview?decision=withdraw", null);
        assertEquals(200, preview.status(), preview.body());
        assertTrue(
                preview.body().contains("\"statusAfter\":\"WITHDRAWN\"")
                        && preview.body().contains("\"stateBefore\":\"APPROVAL_PENDING\"")
                        && preview.body().contains("\"stateAfter\":\"APPROVAL_WITHDRAWN\""),
                preview.body());

        Answer noReason = call(alice, "POST", base + "/decisions", "{\"decision\":\"withdraw\",\"reason\":\"\"}");
        assertEquals(400, noReason.status(), noReason.body());
        assertTrue(noReason.body().contains("REASON_REQUIRED"), noReason.body());
        Answer withdrawn =
                call(alice, "POST", base + "/decisions", "{\"decision\":\"withdraw\",\"reason\":\"入力誤りのため取下げ\"}");
        assertEquals(200, withdrawn.status(), withdrawn.body());
        Map<?, ?> a = (Map<?, ?>) withdrawn.json().get("approval");
        assertEquals("WITHDRAWN", a.get("status"));
        assertEquals("APPROVAL_WITHDRAWN", a.get("state"));
        Answer history = call(operator, "GET", base + "/history", null);
        assertTrue(
                history.body().contains("\"decision\":\"withdraw\"")
                        && history.body().contains("入力誤りのため取下げ")
                        && history.body().contains("\"after\":\"WITHDRAWN\""),
                history.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.APPROVAL_CHANGED,
                e -> "R-mistake".equals(e.event().approvalRef())
                        && e.event().detailJson().contains("\"after\":\"WITHDRAWN\"")));

        // the route on it is refused with the new reason
        TusClient sender = w.client("city-sender");
        HttpResponse<String> terms = sender.http.send(
                HttpRequest.newBuilder(URI.create(sender.base + "/api/v1/routes/mistake-route/terms"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, terms.statusCode(), terms.body());
        assertTrue(terms.body().contains("APPROVAL_WITHDRAWN"), terms.body());
    }
}
