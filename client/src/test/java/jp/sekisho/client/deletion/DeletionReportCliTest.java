package jp.sekisho.client.deletion;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.support.HandOffWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sekisho deletion-report} against a real gateway: a file is sent and delivered, the
 * contractor prints the template, fills it in and submits it signed with its own key (accepted); a
 * report signed with another certificate of the same CA is refused with its reason and exit 1.
 */
class DeletionReportCliTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static final String REF = "2総政第158号";
    static final String ROUTE = "kurume-benefit";

    @BeforeAll
    static void start() throws Exception {
        world = HandOffWorld.start(dir, new HandOffWorld.Approval(REF, ROUTE, "特別定額給付金", 1000, "答申どおり承認"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void anOverdueApprovalIsMarkedAndReinstatedOnlyWithTheOverride() {
        String ref = "2総政第999号";
        String yesterday = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Tokyo"))
                .minusDays(1)
                .toString();
        ok(world.admin(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                ref,
                "--title",
                "委託業務",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--contractor",
                "Contractor K.K.",
                "--items",
                "name",
                "--max-records",
                "10",
                "--valid-from",
                "2020-01-01",
                "--valid-until",
                "2099-12-31",
                "--conditions",
                "業務終了後に廃棄報告",
                "--deletion-report-due",
                yesterday));
        ok(world.admin("secretariat", "approvals", "decide", "--ref", ref, "--decision", "approve", "--reason", "承認"));
        ok(world.admin("secretariat2", "approvals", "decide", "--ref", ref, "--confirm", "--reason", "確認"));
        CliRun list = world.admin("secretariat", "approvals", "list");
        ok(list);
        String row = list.out().lines().filter(l -> l.contains(ref)).findFirst().orElse("");
        assertTrue(row.contains("廃棄報告期限超過"), list.toString());
        String other =
                list.out().lines().filter(l -> l.contains(REF)).findFirst().orElse("");
        assertTrue(!other.contains("廃棄報告期限超過"), "no due date, not overdue: " + list);
        ok(world.admin("secretariat", "approvals", "decide", "--ref", ref, "--decision", "suspend", "--reason", "停止"));

        CliRun refused = world.admin(
                "secretariat", "approvals", "decide", "--ref", ref, "--decision", "reinstate", "--reason", "再開");
        assertEquals(ExitCode.REFUSED, refused.code(), refused.toString());
        assertTrue(refused.err().contains("DELETION_REPORT_OVERDUE"), refused.toString());

        ok(world.admin(
                "secretariat",
                "approvals",
                "decide",
                "--ref",
                ref,
                "--decision",
                "reinstate",
                "--reason",
                "再開",
                "--override-overdue",
                "報告書は郵送中"));
        ok(world.admin("secretariat2", "approvals", "decide", "--ref", ref, "--confirm", "--reason", "確認"));
        CliRun show = world.admin("secretariat", "approvals", "show", "--ref", ref);
        ok(show);
        assertTrue(show.out().contains("報告書は郵送中"), show.toString());
        assertTrue(show.out().contains("期限超過 OVERDUE"), show.toString());
    }

    static CliRun contractor(String... args) {
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(List.of(
                "--gateway",
                world.gw.url("transfer", ""),
                "--identity",
                world.pki.dir().resolve("contractor.p12").toString()));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void theContractorFillsInTheTemplateAndItsSignedReportIsAccepted() throws Exception {
        Path csv = dir.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(7).write(w, 20);
        }
        ok(CliRun.of(
                "send",
                "--gateway",
                world.gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                world.pki.dir().resolve("city-sender.p12").toString(),
                "--file",
                csv.toString()));
        GatewayClient c = world.client("contractor");
        List<Object> inbox = c.get("api/v1/routes/" + ROUTE + "/inbox").array();
        assertEquals(1, inbox.size(), inbox.toString());
        String id = (String) ((Map<?, ?>) inbox.get(0)).get("transferId");
        c.get("api/v1/routes/" + ROUTE + "/transfers/" + id + "/payload"); // the whole envelope: delivered
        await("delivered")
                .atMost(Duration.ofSeconds(10))
                .until(() -> c.get("api/v1/routes/" + ROUTE + "/transfers/" + id)
                        .body()
                        .contains("deliveredAt"));

        CliRun template = contractor("deletion-report", "template", "--approval", REF);
        ok(template);
        Map<String, Object> m = Json.parseObject(template.out().strip());
        assertEquals(REF, m.get("approval"));
        List<?> transfers = (List<?>) m.get("transfers");
        assertEquals(1, transfers.size(), template.out());
        assertTrue(template.out().contains(id), template.out());

        String filled = template.out()
                .strip()
                .replace("\"responsible\":\"\"", "\"responsible\":\"田中一郎 / 情報システム課長\"")
                .replace("\"deleted-at\":\"\"", "\"deleted-at\":\"2026-12-01T10:00:00+09:00\"")
                .replace("\"method\":\"\"", "\"method\":\"上書き消去\"");
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, filled, StandardCharsets.UTF_8);

        // signed with another certificate of the same CA (the sender's): refused, exit 1, reason on stderr
        CliRun other = contractor(
                "deletion-report",
                "submit",
                "--approval",
                REF,
                "--file",
                manifest.toString(),
                "--signer",
                world.pki.dir().resolve("city-sender.p12").toString());
        assertEquals(ExitCode.REFUSED, other.code(), other.toString());
        assertTrue(other.err().contains("DELETION_REPORT_NOT_CONTRACTOR"), other.toString());

        // a manifest naming another approval is an input error, found before any connection
        Path wrong = dir.resolve("wrong.json");
        Files.writeString(wrong, filled.replace(REF, "9総政第1号"), StandardCharsets.UTF_8);
        CliRun usage = contractor("deletion-report", "submit", "--approval", REF, "--file", wrong.toString());
        assertEquals(ExitCode.USAGE, usage.code(), usage.toString());

        CliRun submitted = contractor("deletion-report", "submit", "--approval", REF, "--file", manifest.toString());
        ok(submitted);
        assertTrue(submitted.out().contains("廃棄報告を受理しました / deletion report accepted"), submitted.toString());
        assertTrue(submitted.out().contains("CN=contractor,O=Sekisho"), submitted.toString());

        CliRun list = world.admin("secretariat", "deletion-report", "list", "--approval", REF);
        ok(list);
        assertTrue(list.out().contains("田中一郎") && list.out().contains("JST"), list.toString());
    }
}
