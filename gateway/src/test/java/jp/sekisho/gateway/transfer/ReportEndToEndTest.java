package jp.sekisho.gateway.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.json.Json;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.DecisionOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The council report (issue 16) against a real gateway and PostgreSQL: an approval shaped like the demo's
 * (2総政第158号, 特別定額給付金) with real transfers and refused requests through the gateway and the bulk of a
 * 10,000-event log written through the audit writer; the report's figures equal those counted in the test
 * with its own SQL; the PDF, fetched through the API, rendered by pdftoppm and read by pdftotext; roles;
 * hostile values escaped in HTML and Markdown; the yearly report lists each approval.
 */
class ReportEndToEndTest {

    static final String REF = "2総政第158号";
    static final String HOSTILE_REF = "9総政第1号";
    static final String HOSTILE_TITLE = "<script>alert(1)</script> | 給付\n二行目";
    static final int BULK = 10_000;

    @TempDir
    static Path dir;

    static TransferWorld w;
    static HttpClient auditor;
    static HttpClient secretariat;
    static HttpClient operator;
    static int realTransfers;

    @BeforeAll
    static void start() throws Exception {
        w = new TransferWorld(dir);
        w.approve(REF, 400_000);
        w.routes("routes:\n" + TransferWorld.route("r158", REF, "8MiB"));
        auditor = client("auditor");
        secretariat = client("secretariat");
        operator = client("operator");

        // real transfers through the gateway
        TusClient sender = w.client("city-sender");
        for (int i = 0; i < 3; i++) {
            Path f = w.seal("t" + i + ".cms", 50_000 + i, "contractor-enc", ContentCipher.AES_256_GCM);
            HttpResponse<String> c =
                    sender.create("r158", Files.size(f), TusClient.metadata("t" + i, TusClient.sha256(f), 100 + i));
            assertEquals(201, c.statusCode(), c.body());
            HttpResponse<String> p =
                    sender.patch(c.headers().firstValue("Location").orElseThrow(), f, 0, Files.size(f), false);
            assertEquals(204, p.statusCode(), p.body());
            realTransfers++;
        }
        // real refusals through the gateway: the contractor is no sender of the route
        TusClient receiver = w.client("contractor");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = receiver.create("r158", 10, TusClient.metadata("x", "0".repeat(64), 1));
            assertEquals(403, r.statusCode(), r.body());
        }
        // the bulk, through the real audit writer, as the gateway writes these events for the route
        AuditPrincipal sender1 = new AuditPrincipal("CN=city-sender,O=Sekisho", "01", "ab".repeat(32));
        String[] reasons = {"SOURCE_NOT_ALLOWED", "NOT_A_SENDER", "PAYLOAD_MALFORMED", "APPROVAL_SUSPENDED"};
        for (int i = 0; i < BULK; i++) {
            AuditEvent e;
            switch (i % 5) {
                case 0, 1 ->
                    e = AuditEvent.of(EventType.TRANSFER_STORED, Outcome.ALLOW)
                            .principal(sender1)
                            .source("127.0.0.1", 40000 + i % 1000)
                            .routeId("r158")
                            .approvalRef(REF)
                            .transferId("bulk-" + i)
                            .bytes(1000L + i)
                            .detailJson("{\"filename\":\"b" + i + "\",\"records\":" + (i % 97)
                                    + ",\"cipher\":\"AES-256-GCM\"}")
                            .build();
                case 2 ->
                    e = AuditEvent.of(EventType.TRANSFER_PURGED, Outcome.ALLOW)
                            .routeId("r158")
                            .approvalRef(REF)
                            .transferId("bulk-" + (i - 2))
                            .build();
                default ->
                    e = AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY)
                            .principal(sender1)
                            .source("10.0.0." + (i % 7), 50000)
                            .reason(reasons[i % reasons.length])
                            .routeId("r158")
                            .approvalRef(REF)
                            .build();
            }
            w.gw.store.log().record(e);
        }
        w.gw.store.postgresLog().flush(Duration.ofSeconds(60));

        // an approval with a hostile title, decided so that it is in the yearly report
        Approval p = TransferWorld.draft(HOSTILE_REF, 10);
        Approval hostile = new Approval(
                HOSTILE_REF,
                HOSTILE_TITLE,
                p.legalBasis(),
                p.departments(),
                "A|B <b>社</b>",
                p.subcontractors(),
                p.dataItems(),
                10,
                p.validFrom(),
                p.validUntil(),
                p.conditions(),
                p.meetingRef(),
                ApprovalStatus.PENDING,
                null,
                null,
                1);
        var services = w.gw.gateway.policy().approvals();
        assertInstanceOf(DecisionOutcome.Applied.class, services.create(hostile, TransferWorld.ALICE));
        w.decide(HOSTILE_REF, jp.sekisho.gateway.approval.Decision.APPROVE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (w != null) {
            w.close();
        }
    }

    static HttpClient client(String who) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(Tls.client(w.pki.dir().resolve(who + ".p12"), w.pki.caFile()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    static <T> HttpResponse<T> get(HttpClient c, String path, HttpResponse.BodyHandler<T> h) throws Exception {
        return c.send(
                HttpRequest.newBuilder(URI.create(w.gw.url("admin", path)))
                        .timeout(Duration.ofSeconds(120))
                        .build(),
                h);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The figures counted here, row by row in Java over the store's rows: not the report's aggregate SQL. */
    record Expected(long transfers, long records, long bytes, Map<String, Long> refusals, long purges) {}

    static Expected expected() throws Exception {
        long transfers = 0;
        long records = 0;
        long bytes = 0;
        long purges = 0;
        Map<String, Long> refusals = new TreeMap<>();
        try (Connection c = w.pg.superuser();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT event_type, outcome, reason, byte_count, detail FROM audit_event WHERE approval_ref = ?")) {
            ps.setString(1, REF);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String type = rs.getString(1);
                    String outcome = rs.getString(2);
                    if (type.equals("TRANSFER_STORED") && outcome.equals("ALLOW")) {
                        transfers++;
                        bytes += rs.getLong(4);
                        Object n = Json.parseObject(rs.getString(5)).get("records");
                        records += Long.parseLong(String.valueOf(n)); // the gateway writes it as a string
                    } else if (type.equals("TRANSFER_PURGED")) {
                        purges++;
                    }
                    if (outcome.equals("DENY")) {
                        refusals.merge(rs.getString(3), 1L, Long::sum);
                    }
                }
            }
        }
        return new Expected(transfers, records, bytes, refusals, purges);
    }

    static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    @Test
    void theFiguresEqualThoseCountedDirectlyFromTheStore() throws Exception {
        Expected x = expected();
        assertTrue(x.transfers() >= 4000 + realTransfers, "the log is big: " + x);
        assertTrue(x.refusals().getOrDefault("NOT_A_SENDER", 0L) >= 2, "real refusals counted: " + x.refusals());
        HttpResponse<String> r = get(auditor, "/api/v1/reports/approvals/" + enc(REF) + "?format=md", ofString());
        assertEquals(200, r.statusCode(), r.body());
        String md = r.body();
        assertTrue(md.contains("| 転送数 / Transfers stored | " + n(x.transfers()) + " |"), md);
        assertTrue(md.contains("| 申告件数（レコード） / Declared records | " + n(x.records()) + " |"), md);
        assertTrue(md.contains("| バイト数 / Bytes | " + n(x.bytes()) + " |"), md);
        assertTrue(md.contains("| 削除（受領確認後） / Purged after acknowledgment | " + n(x.purges()) + " |"), md);
        long total = 0;
        for (var e : x.refusals().entrySet()) {
            assertTrue(
                    md.contains("| " + e.getKey().replace("_", "\\_") + " | " + n(e.getValue()) + " |"), e + "\n" + md);
            total += e.getValue();
        }
        assertTrue(md.contains("(" + n(total) + ")"), md);
        assertTrue(md.contains("検証済み：改ざんなし"), "the chain verified: " + md);
        assertTrue(md.contains("AFTER") || md.contains("期間の後") || md.contains("最新"), md);
        assertNotNull(
                w.gw.awaitEvent(
                        EventType.AUDIT_READ,
                        e -> e.event().detailJson() != null
                                && e.event().detailJson().contains("\"op\":\"report\"")
                                && REF.equals(e.event().approvalRef())),
                "each report read is audited");
    }

    @Test
    void thePdfRendersJapaneseWithTheReferenceTitleAndEraDate() throws Exception {
        HttpResponse<byte[]> r = get(
                auditor,
                "/api/v1/reports/approvals/" + enc(REF) + "?format=pdf",
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/pdf", r.headers().firstValue("Content-Type").orElse(""));
        Path out = Files.createDirectories(Path.of("target", "report-screenshots"));
        Path pdf = out.resolve("report-2soseidai158go.pdf");
        Files.write(pdf, r.body());
        run(List.of(
                "pdftoppm",
                "-png",
                "-r",
                "70",
                pdf.toString(),
                out.resolve("report-2soseidai158go").toString()));
        try (var pngs = Files.list(out)) {
            assertTrue(pngs.anyMatch(p -> p.getFileName().toString().matches("report-2soseidai158go-0*1\\.png")));
        }
        Path txt = out.resolve("report-2soseidai158go.txt");
        run(List.of("pdftotext", "-enc", "UTF-8", pdf.toString(), txt.toString()));
        // as written, with no normalisation: the council greps pdftotext's output (IPAex Gothic gives 日 and the
        // radical ⽇ one glyph; ToUnicodeFix makes the text layer name the ideograph the page shows)
        String text = Files.readString(txt, StandardCharsets.UTF_8);
        assertTrue(text.contains(REF), text);
        assertTrue(text.contains("運用状況報告"), text);
        assertTrue(text.contains("特別定額給付金"), text);
        Approval a = TransferWorld.draft(REF, 1);
        for (LocalDate d : List.of(a.validFrom(), a.validUntil())) {
            String era = "令和" + (d.getYear() - 2018) + "年" + d.getMonthValue() + "月" + d.getDayOfMonth() + "日";
            assertTrue(text.contains(era), era + " in\n" + text);
        }
        assertTrue(
                text.codePoints().noneMatch(cp -> cp >= 0x2E80 && cp <= 0x2FDF),
                "no radical in the text layer: " + text);
    }

    @Test
    void anOperatorIsRefusedRoleRequiredAndTheRefusalIsAudited() throws Exception {
        HttpResponse<String> r = get(operator, "/api/v1/reports/approvals/" + enc(REF) + "?format=md", ofString());
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("ROLE_REQUIRED"), r.body());
        assertNotNull(w.gw.awaitEvent(
                EventType.REQUEST_DENIED,
                e -> "ROLE_REQUIRED".equals(e.event().reason())
                        && e.event().principal() != null
                        && e.event().principal().subject().contains("operator")));
        HttpResponse<String> y = get(operator, "/api/v1/reports/years/2026", ofString());
        assertEquals(403, y.statusCode(), y.body());
    }

    @Test
    void hostileValuesAreEscapedInHtmlAndMarkdown() throws Exception {
        HttpResponse<String> h = get(secretariat, "/api/v1/reports/approvals/" + enc(HOSTILE_REF), ofString());
        assertEquals(200, h.statusCode(), h.body());
        assertTrue(h.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(
                h.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"),
                "the report page runs and loads nothing: " + h.headers().map());
        assertFalse(h.body().contains("<script>"), h.body());
        assertFalse(h.body().contains("<b>社"), h.body());
        assertTrue(h.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), h.body());
        assertFalse(h.body().contains("http://") && h.body().contains("src="), "no external resource");
        HttpResponse<String> m =
                get(secretariat, "/api/v1/reports/approvals/" + enc(HOSTILE_REF) + "?format=md", ofString());
        assertEquals(200, m.statusCode(), m.body());
        String md = m.body();
        assertFalse(md.contains("<script>"), md);
        assertTrue(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| 給付<br>二行目"), md);
        assertTrue(md.contains("A\\|B &lt;b&gt;社&lt;/b&gt;"), md);
        for (String line : md.split("\n")) {
            if (line.startsWith("|")) {
                assertTrue(line.endsWith("|"), "a table row stays one line: " + line);
            }
        }
        HttpResponse<String> en =
                get(secretariat, "/api/v1/reports/approvals/" + enc(HOSTILE_REF) + "?lang=en", ofString());
        assertTrue(en.body().contains("lang=\"en\"") && en.body().contains("Consultation / 諮問の内容"), en.body());
    }

    @Test
    void theYearlyReportListsEachApproval() throws Exception {
        int year = LocalDate.now(JapaneseDates.TOKYO).getYear();
        HttpResponse<String> r = get(auditor, "/api/v1/reports/years/" + year + "?format=md", ofString());
        assertEquals(200, r.statusCode(), r.body());
        String md = r.body();
        assertTrue(md.contains("## 概要 / Summary"), md);
        assertTrue(md.contains("| " + REF + " | 特別定額給付金 |"), md);
        assertTrue(md.contains("| " + HOSTILE_REF + " | "), md);
        assertTrue(md.contains("## " + REF), md);
        assertTrue(md.contains("## " + HOSTILE_REF), md);
        HttpResponse<String> bad = get(auditor, "/api/v1/reports/years/20x6", ofString());
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("QUERY_INVALID"), bad.body());
    }

    @Test
    void theConsoleLinksTheReportsForSecretariatAndAuditorOnly() throws Exception {
        String detail = "/console/approvals/" + enc(REF).replace("+", "%20");
        HttpResponse<String> a = get(auditor, detail, ofString());
        assertEquals(200, a.statusCode(), a.body());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("id=\"report-pdf\" href=\"([^\"]+)\"")
                .matcher(a.body());
        assertTrue(m.find(), a.body());
        String pdf = m.group(1).replace("&amp;", "&");
        assertTrue(pdf.startsWith("/api/v1/reports/approvals/") && pdf.contains("format=pdf"), pdf);
        HttpResponse<byte[]> got = get(auditor, pdf, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode());
        assertEquals("%PDF", new String(got.body(), 0, 4, StandardCharsets.US_ASCII));

        HttpResponse<String> list = get(secretariat, "/console/approvals", ofString());
        assertTrue(
                list.body().contains("id=\"period-report\"") && list.body().contains("/api/v1/reports/period"),
                list.body());
        LocalDate today = LocalDate.now(JapaneseDates.TOKYO);
        HttpResponse<String> period = get(
                secretariat,
                "/api/v1/reports/period?from=" + today.minusDays(3) + "&to=" + today + "&format=html&lang=ja",
                ofString());
        assertEquals(200, period.statusCode(), period.body());
        assertTrue(period.body().contains("運用状況報告（期間）") && period.body().contains(REF), period.body());

        HttpResponse<String> op = get(operator, detail, ofString());
        assertEquals(200, op.statusCode(), op.body());
        assertFalse(op.body().contains("report-pdf"), "no report link for an operator");
        assertFalse(get(operator, "/console/approvals", ofString()).body().contains("period-report"));
    }

    static HttpResponse.BodyHandler<String> ofString() {
        return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
    }

    static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), cmd + ": " + out);
    }
}
