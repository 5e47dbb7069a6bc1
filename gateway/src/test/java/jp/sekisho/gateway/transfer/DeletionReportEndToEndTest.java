package jp.sekisho.gateway.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.SignedStatement;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalLinks;
import jp.sekisho.gateway.approval.ApprovalState;
import jp.sekisho.gateway.approval.Conditions;
import jp.sekisho.gateway.approval.ConsoleClient;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.approval.DecisionRecord;
import jp.sekisho.gateway.http.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deletion reports (廃棄報告) against the real gateway, PostgreSQL and mutual TLS: two transfers are
 * delivered under R-del (a third only stored); the contractor's signed report is matched against
 * them, refusals are each audited with their reason, and an approval whose report is overdue is not
 * reinstated without an explicit override.
 */
class DeletionReportEndToEndTest {

    @TempDir
    static Path dir;

    static TransferWorld w;
    static TusClient sender;
    static TusClient contractor;
    static String a;
    static String aSha;
    static String b;
    static String bSha;
    static String stored;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve("R-del", 1000);
        w.routes("routes:\n" + TransferWorld.route("del", "R-del", null));
        sender = w.client("city-sender");
        contractor = w.client("contractor");
        Path envA = w.seal("a.csv.cms", 20_000, "contractor-enc", ContentCipher.AES_256_GCM);
        Path envB = w.seal("b.csv.cms", 30_000, "contractor-enc", ContentCipher.AES_256_GCM);
        Path envC = w.seal("c.csv.cms", 10_000, "contractor-enc", ContentCipher.AES_256_GCM);
        aSha = TusClient.sha256(envA);
        bSha = TusClient.sha256(envB);
        a = upload(envA, aSha);
        b = upload(envB, bSha);
        stored = upload(envC, TusClient.sha256(envC)); // stored, never downloaded: not owed in the report
        deliver(a);
        deliver(b);
    }

    @AfterAll
    static void stop() throws Exception {
        w.close();
    }

    private static String upload(Path env, String sha) throws Exception {
        HttpResponse<String> r = sender.create(
                "del", Files.size(env), TusClient.metadata(env.getFileName().toString(), sha, 10));
        assertEquals(201, r.statusCode(), r.body());
        String loc = r.headers().firstValue("Location").orElseThrow();
        HttpResponse<String> last = sender.upload(loc, env, 1 << 20);
        assertEquals(204, last.statusCode(), last.body());
        return loc.substring(loc.lastIndexOf('/') + 1);
    }

    private static void deliver(String id) throws Exception {
        HttpResponse<InputStream> d = contractor.download("/api/v1/routes/del/transfers/" + id + "/payload", null);
        assertEquals(200, d.statusCode());
        try (InputStream in = d.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        await("delivered_at of " + id)
                .atMost(Duration.ofSeconds(10))
                .until(() -> contractor
                        .get("/api/v1/routes/del/transfers/" + id)
                        .body()
                        .contains("\"deliveredAt\""));
    }

    private static String manifest(String ref, String responsible, String... idAndSha) {
        StringBuilder sb = new StringBuilder(
                "{\"approval\":\"" + ref + "\",\"responsible\":\"" + responsible + "\",\"transfers\":[");
        for (int i = 0; i < idAndSha.length; i += 2) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"")
                    .append(idAndSha[i])
                    .append("\",\"sha256\":\"")
                    .append(idAndSha[i + 1])
                    .append("\",\"deleted-at\":\"2026-12-01T10:00:00+09:00\",\"method\":\"上書き消去\"}");
        }
        return sb.append("],\"note\":\"サーバ室にて\"}").toString();
    }

    static byte[] sign(String manifest, String signer) throws Exception {
        return SignedStatement.sign(
                manifest.getBytes(StandardCharsets.UTF_8),
                Identities.load(w.pki.dir().resolve(signer + ".p12"), new char[0]));
    }

    static HttpResponse<String> submit(TusClient who, String ref, byte[] body) throws Exception {
        return who.http.send(
                HttpRequest.newBuilder(URI.create(who.base + "/api/v1/approvals/"
                                + java.net.URLEncoder.encode(ref, StandardCharsets.UTF_8) + "/deletion-reports"))
                        .header("Content-Type", "application/cms")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The refusal is answered with its reason and recorded once as DELETION_REPORT_REFUSED with it. */
    private static Map<String, Object> refused(HttpResponse<String> r, int status, String reason) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        Map<String, Object> p = Json.parseObject(r.body());
        assertEquals(reason, p.get("reason"), r.body());
        String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
        RecordedEvent e = w.gw.awaitEvent(
                EventType.DELETION_REPORT_REFUSED,
                x -> requestId.equals(x.event().requestId()));
        assertNotNull(e, "DELETION_REPORT_REFUSED of request " + requestId);
        assertEquals(reason, e.event().reason());
        assertEquals("R-del", e.event().approvalRef());
        return p;
    }

    @Test
    void aReportOmittingADeliveredTransferIsRefusedNamingIt() throws Exception {
        HttpResponse<String> r = submit(contractor, "R-del", sign(manifest("R-del", "田中 / 課長", a, aSha), "contractor"));
        Map<String, Object> p = refused(r, 422, "DELETION_REPORT_TRANSFER_MISSING");
        String detail = (String) p.get("detail");
        assertTrue(detail.contains(b), detail);
        assertFalse(detail.contains(stored), "a transfer never delivered is not owed: " + detail);
    }

    @Test
    void aReportNamingAnUnknownTransferIsRefusedNamingIt() throws Exception {
        HttpResponse<String> r = submit(
                contractor,
                "R-del",
                sign(manifest("R-del", "田中 / 課長", a, aSha, b, bSha, "NoSuchTransfer0001", aSha), "contractor"));
        Map<String, Object> p = refused(r, 422, "DELETION_REPORT_TRANSFER_UNKNOWN");
        assertTrue(((String) p.get("detail")).contains("NoSuchTransfer0001"), r.body());
        HttpResponse<String> undelivered = submit(
                contractor, "R-del", sign(manifest("R-del", "田中 / 課長", a, aSha, b, bSha, stored, aSha), "contractor"));
        assertTrue(((String) refused(undelivered, 422, "DELETION_REPORT_TRANSFER_UNKNOWN")
                        .get("detail"))
                .contains(stored));
    }

    @Test
    void aReportSignedByAnotherKeyOfTheSameCaIsRefused() throws Exception {
        // other-receiver holds a valid client certificate of the same CA, but receives nothing under R-del
        HttpResponse<String> r =
                submit(contractor, "R-del", sign(manifest("R-del", "田中 / 課長", a, aSha, b, bSha), "other-receiver"));
        Map<String, Object> p = refused(r, 403, "DELETION_REPORT_NOT_CONTRACTOR");
        assertTrue(((String) p.get("detail")).contains("CN=other-receiver"), r.body());
    }

    @Test
    void aTamperedSignedReportIsRefused() throws Exception {
        byte[] signed = sign(manifest("R-del", "Tanaka", a, aSha, b, bSha), "contractor");
        byte[] tampered = signed.clone();
        int at = indexOf(tampered, "Tanaka".getBytes(StandardCharsets.US_ASCII));
        assertTrue(at > 0);
        tampered[at + 5] = 'o'; // "Tanako": same length, the DER still reads
        refused(submit(contractor, "R-del", tampered), 422, "DELETION_REPORT_SIGNATURE_INVALID");
        byte[] garbage = "not a cms".getBytes(StandardCharsets.US_ASCII);
        refused(submit(contractor, "R-del", garbage), 400, "DELETION_REPORT_MALFORMED");
        // counted under their own stage, not "other" (after the answer, by the response filter)
        await("sekisho_refusals_total{stage=deletion_report}")
                .atMost(Duration.ofSeconds(5))
                .until(() -> {
                    var c = w.gw.gateway
                            .metrics()
                            .registry()
                            .find("sekisho.refusals")
                            .tag("stage", "deletion_report")
                            .tag("reason", "DELETION_REPORT_SIGNATURE_INVALID")
                            .counter();
                    return c != null && c.count() >= 1;
                });
    }

    @Test
    void aSignerTheGatewayDoesNotTrustIsRefusedWhateverItsName() throws Exception {
        String m = manifest("R-del", "田中", a, aSha, b, bSha);
        // the contractor's very subject, from another CA
        TestPki foreign = TestPki.create(dir.resolve("foreign"));
        foreign.client("contractor");
        byte[] byStranger = SignedStatement.sign(
                m.getBytes(StandardCharsets.UTF_8),
                Identities.load(foreign.dir().resolve("contractor.p12"), new char[0]));
        Map<String, Object> p =
                refused(submit(contractor, "R-del", byStranger), 422, "DELETION_REPORT_SIGNER_UNTRUSTED");
        assertTrue(((String) p.get("detail")).contains("UNKNOWN_CA"), p.toString());
        // a certificate of the right CA past its validity
        w.pki.expiredClient("expired-signer");
        Map<String, Object> e = refused(
                submit(contractor, "R-del", sign(m, "expired-signer")), 422, "DELETION_REPORT_SIGNER_UNTRUSTED");
        assertTrue(((String) e.get("detail")).contains("EXPIRED"), e.toString());
    }

    @Test
    void aWrongHashOrAnotherApprovalInTheManifestIsRefused() throws Exception {
        refused(
                submit(contractor, "R-del", sign(manifest("R-del", "田中", a, bSha, b, bSha), "contractor")),
                422,
                "DELETION_REPORT_HASH_MISMATCH");
        refused(
                submit(contractor, "R-del", sign(manifest("R-other", "田中", a, aSha, b, bSha), "contractor")),
                422,
                "DELETION_REPORT_APPROVAL_MISMATCH");
        String unknownField = manifest("R-del", "田中", a, aSha, b, bSha).replace("\"note\"", "\"notes\"");
        refused(submit(contractor, "R-del", sign(unknownField, "contractor")), 400, "DELETION_REPORT_MANIFEST_INVALID");
    }

    @Test
    void onlyAReceiverOfTheApprovalsRoutesMaySubmit() throws Exception {
        HttpResponse<String> r = submit(
                w.client("other-receiver"), "R-del", sign(manifest("R-del", "田中", a, aSha, b, bSha), "other-receiver"));
        refused(r, 403, "NOT_A_RECEIVER");
        HttpResponse<String> sender403 =
                submit(sender, "R-del", sign(manifest("R-del", "田中", a, aSha, b, bSha), "city-sender"));
        assertEquals(403, sender403.statusCode(), sender403.body());
        assertTrue(sender403.body().contains("ROLE_REQUIRED"), sender403.body());
    }

    @Test
    void theContractorsReportIsAcceptedMatchedStoredAndAudited() throws Exception {
        byte[] signed = sign(manifest("R-del", "田中一郎 / 情報システム課長", b, bSha, a, aSha), "contractor");
        HttpResponse<String> r = submit(contractor, "R-del", signed);
        assertEquals(201, r.statusCode(), r.body());
        Map<String, Object> ok = Json.parseObject(r.body());
        String id = (String) ok.get("id");
        assertTrue(id.matches("[A-Za-z0-9_-]{24}"), id);
        assertEquals("CN=contractor,O=Sekisho", ok.get("signer"));
        assertEquals(2, ((Number) ok.get("transfers")).intValue());
        RecordedEvent e = w.gw.awaitEvent(
                EventType.DELETION_REPORT_ACCEPTED, x -> x.event().detailJson().contains(id));
        assertNotNull(e);
        assertEquals("R-del", e.event().approvalRef());
        assertTrue(e.event().detailJson().contains("田中一郎"), e.event().detailJson());

        // the secretariat and auditors read it back on the admin listener, the signed original byte for byte
        TusClient auditor = admin("auditor");
        HttpResponse<String> list = auditor.get("/api/v1/approvals/R-del/deletion-reports");
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains(id), list.body());
        HttpResponse<byte[]> original = auditor.http.send(
                HttpRequest.newBuilder(URI.create(auditor.base + "/api/v1/approvals/R-del/deletion-reports/" + id))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, original.statusCode());
        assertEquals(
                "application/cms", original.headers().firstValue("Content-Type").orElse(null));
        assertArrayEquals(signed, original.body());
        // anyone can check the original with openssl, against the deployment's CA
        Path p7m = dir.resolve("report-" + id + ".p7m");
        Files.write(p7m, original.body());
        Path content = dir.resolve("report-" + id + ".json");
        var verified = jp.sekisho.certs.testing.Procs.run(
                "openssl",
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                p7m.toString(),
                "-CAfile",
                w.pki.caFile().toString(),
                "-purpose",
                "any",
                "-out",
                content.toString());
        assertEquals(0, verified.exit(), verified.out());
        assertTrue(Files.readString(content, StandardCharsets.UTF_8).contains("田中一郎"));
        // not on the transfer listener
        HttpResponse<String> notHere = contractor.get("/api/v1/approvals/R-del/deletion-reports");
        assertTrue(notHere.body().contains("ADMIN_LISTENER_ONLY"), notHere.body());
    }

    @Test
    void anOverdueApprovalIsNotReinstatedWithoutAnExplicitOverride() throws Exception {
        var approvals = w.gw.gateway.policy().approvals();
        LocalDate yesterday = LocalDate.now(ApprovalState.TOKYO).minusDays(1);
        Approval d = TransferWorld.draft("R-over", 100);
        Approval draft = new Approval(
                d.ref(),
                d.title(),
                d.legalBasis(),
                d.departments(),
                d.contractor(),
                d.subcontractors(),
                d.dataItems(),
                d.maxRecords(),
                d.validFrom(),
                d.validUntil(),
                new Conditions("作業終了後に廃棄報告", true, yesterday),
                d.meetingRef(),
                d.status(),
                null,
                null,
                1);
        assertInstanceOf(DecisionOutcome.Applied.class, approvals.create(draft, TransferWorld.ALICE));
        w.decide("R-over", Decision.APPROVE);
        assertTrue(approvals.deletionReportOverdue(approvals.find("R-over").orElseThrow()));
        assertTrue(w.gw.gateway.metrics().gaugeValue(Metrics.DELETION_REPORTS_OVERDUE) >= 1);
        w.decide("R-over", Decision.SUSPEND);

        DecisionOutcome refused = approvals.decide("R-over", Decision.REINSTATE, "再開", TransferWorld.ALICE);
        DecisionOutcome.Refused r = assertInstanceOf(DecisionOutcome.Refused.class, refused);
        assertEquals("DELETION_REPORT_OVERDUE", r.reason());
        assertNotNull(w.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                x -> "DELETION_REPORT_OVERDUE".equals(x.event().reason())
                        && "R-over".equals(x.event().approvalRef())));

        DecisionOutcome o = approvals.decide(
                "R-over", Decision.REINSTATE, "再開", null, "委託先から口頭で廃棄済みと報告あり、書面は来週", TransferWorld.ALICE);
        if (o instanceof DecisionOutcome.AwaitingConfirmation) {
            o = approvals.confirm("R-over", "確認", TransferWorld.BOB);
        }
        assertInstanceOf(DecisionOutcome.Applied.class, o);
        List<DecisionRecord> history = approvals.history("R-over");
        DecisionRecord last = history.get(history.size() - 1);
        assertEquals(Decision.REINSTATE, last.decision());
        assertTrue(last.reason().contains("委託先から口頭で廃棄済み"), last.reason());
        assertTrue(last.reason().contains("overdue override"), last.reason());
        RecordedEvent changed = w.gw.awaitEvent(
                EventType.APPROVAL_CHANGED,
                x -> "R-over".equals(x.event().approvalRef())
                        && x.event().detailJson().contains("委託先から口頭で廃棄済み"));
        assertNotNull(changed, "the override is in the approval's audit event");
    }

    @Test
    void theConsoleShowsTheOverdueBadgeAndTakesTheOverrideWithItsReason() throws Exception {
        createOverdue("R-console");
        w.decide("R-console", Decision.APPROVE);
        w.decide("R-console", Decision.SUSPEND);
        ConsoleClient alice = new ConsoleClient(
                w.pki.dir().resolve("secretariat.p12"), w.pki.caFile(), path -> w.gw.url("admin", path));
        String list = alice.get("/console/approvals").body();
        assertTrue(ConsoleClient.row(list, "R-console").contains("badge-overdue"), list);
        assertFalse(ConsoleClient.row(list, "R-del").contains("badge-overdue"), "no due date, not overdue");
        String detail = alice.get(ApprovalLinks.detail("R-console")).body();
        assertTrue(detail.contains("id=\"deletion-report-overdue\""), detail);
        assertTrue(detail.contains("id=\"override-overdue\""), detail);

        HttpResponse<String> refused = alice.decide("R-console", "reinstate", "再開", "decide");
        assertTrue(ConsoleClient.error(refused.body()).contains("DELETION_REPORT_OVERDUE"), refused.body());
        HttpResponse<String> overridden = alice.post(
                ApprovalLinks.decision("R-console"),
                Map.of(
                        "decision", List.of("reinstate"),
                        "reason", List.of("再開"),
                        "overrideOverdue", List.of("on"),
                        "overrideReason", List.of("報告書は郵送中と確認"),
                        "action", List.of("decide")));
        assertTrue(overridden.statusCode() < 400, overridden.body());
        var pending = w.gw.gateway
                .policy()
                .approvals()
                .find("R-console")
                .orElseThrow()
                .pending();
        assertNotNull(pending, "the reinstatement waits for the second member");
        assertTrue(pending.reason().contains("報告書は郵送中と確認"), pending.reason());
    }

    @Test
    void anAcceptedReportEndsTheOverdue() throws Exception {
        var approvals = w.gw.gateway.policy().approvals();
        createOverdue("R-late");
        w.decide("R-late", Decision.APPROVE);
        w.routes("routes:\n" + TransferWorld.route("del", "R-del", null) + TransferWorld.route("late", "R-late", null));
        assertTrue(approvals.deletionReportOverdue(approvals.find("R-late").orElseThrow()));
        // nothing was delivered under R-late: the report lists no transfer
        HttpResponse<String> r = submit(contractor, "R-late", sign(manifest("R-late", "田中 / 課長"), "contractor"));
        assertEquals(201, r.statusCode(), r.body());
        assertFalse(approvals.deletionReportOverdue(approvals.find("R-late").orElseThrow()));
    }

    private static void createOverdue(String ref) {
        Approval d = TransferWorld.draft(ref, 100);
        Approval draft = new Approval(
                d.ref(),
                d.title(),
                d.legalBasis(),
                d.departments(),
                d.contractor(),
                d.subcontractors(),
                d.dataItems(),
                d.maxRecords(),
                d.validFrom(),
                d.validUntil(),
                new Conditions(
                        "作業終了後に廃棄報告", true, LocalDate.now(ApprovalState.TOKYO).minusDays(1)),
                d.meetingRef(),
                d.status(),
                null,
                null,
                1);
        assertInstanceOf(
                DecisionOutcome.Applied.class, w.gw.gateway.policy().approvals().create(draft, TransferWorld.ALICE));
    }

    private static TusClient admin(String who) throws Exception {
        return new TusClient(
                "https://127.0.0.1:" + w.gw.gateway.port("admin"),
                Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
