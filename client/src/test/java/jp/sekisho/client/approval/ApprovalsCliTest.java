package jp.sekisho.client.approval;

import static jp.sekisho.client.support.HandOffWorld.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import jp.sekisho.cli.DisplayWidth;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.CliRun;
import jp.sekisho.client.dummy.ResidentGenerator;
import jp.sekisho.client.support.HandOffWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's `sekisho approvals` for people: a real gateway and PostgreSQL, a real `sekisho send`,
 * then the list as an aligned bilingual table, `show` with every field in Japanese and English,
 * era dates and Japanese item labels accepted, full-width references, preview, withdraw,
 * conditions at the decision, and an unknown decision naming the choices before any connection.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApprovalsCliTest {

    @TempDir
    static Path dir;

    static HandOffWorld world;
    static final String REF = "8福第301号";
    static final String FULL_WIDTH = "８福第３０１号";
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

    static CliRun as(String who, String... args) {
        return world.admin(who, args);
    }

    static final Pattern JST = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} JST");

    @Test
    @Order(1)
    void showCountsARealSendAndPrintsEveryFieldInJapaneseAndEnglish() throws Exception {
        Path csv = dir.resolve("residents.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            new ResidentGenerator(13).write(w, 50);
        }
        CliRun sent = CliRun.of(
                "send",
                "--gateway",
                world.gw.url("transfer", ""),
                "--route",
                ROUTE,
                "--identity",
                world.pki.dir().resolve("city-sender.p12").toString(),
                "--file",
                csv.toString());
        ok(sent);
        assertTrue(sent.out().contains("records:   50"), sent.toString());

        CliRun show = as("operator", "approvals", "show", "--ref", FULL_WIDTH);
        ok(show);
        String out = show.out();
        for (String expected : List.of(
                "参照番号 Ref",
                REF,
                "件名 Title",
                "特別定額給付金",
                "根拠条項 Legal basis",
                "条例第10条第1項第2号",
                "実施機関 Departments",
                "総務部",
                "受託事業者 Contractor",
                "Contractor K.K.",
                "個人情報項目 Data items",
                "氏名 (name), 生年月日 (birth_date)",
                "上限件数 Max records",
                "1,000",
                "有効期間 Valid",
                "令和2年1月1日 (2020-01-01) 〜 令和81年12月31日 (2099-12-31)",
                "条件 Conditions",
                "引渡し後に削除 / delete after delivery",
                "状態 Status",
                "承認 APPROVED",
                "現況 State",
                "運用中 IN_FORCE",
                "実績 Usage",
                "転送 1 件 / transfers, 記録 50 件 / records",
                "履歴 History:",
                "日時 Time (JST)",
                "承認 approve",
                "PENDING → APPROVED",
                "CN=secretariat,O=Sekisho",
                "CN=secretariat2,O=Sekisho",
                "答申どおり承認 / 確認")) {
            assertTrue(out.contains(expected), "missing '" + expected + "' in\n" + out);
        }
        assertTrue(JST.matcher(out).find(), "history times in JST:\n" + out);
        assertTrue(!out.contains("{text=") && !out.contains("deleteAfterDelivery"), "conditions as text:\n" + out);
        // the labels' column is as wide on every line (terminal columns, Japanese counting two)
        for (String line : out.lines().takeWhile(l -> !l.startsWith("履歴")).toList()) {
            int v = valueStart(line);
            assertTrue(
                    v < line.length() && line.startsWith("  ", v - 2) && line.charAt(v) != ' ',
                    "the value starts at column 30: '" + line + "'");
        }
    }

    /** Where a field line's value starts: after the padded label and two spaces. */
    private static int valueStart(String line) {
        int w = 0;
        for (int i = 0; i < line.length(); i++) {
            if (w == 30) {
                return i;
            }
            w += DisplayWidth.of(line.codePointAt(i));
        }
        return line.length();
    }

    @Test
    @Order(2)
    void eraDatesAndJapaneseLabelsAreAcceptedAndTheListIsAnAlignedTable() {
        ok(as(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                "Ｒ－era",
                "--title",
                "税の催告",
                "--legal-basis",
                "条例第10条",
                "--contractor",
                "コールセンター株式会社",
                "--items",
                "氏名、住所,Date of birth",
                "--max-records",
                "10000",
                "--valid-from",
                "令和9年1月1日",
                "--valid-until",
                "R10.3.31"));
        CliRun show = as("secretariat", "approvals", "show", "--ref", "R-era");
        ok(show);
        assertTrue(
                show.out().contains("氏名 (name), 住所 (address), 生年月日 (birth_date)")
                        && show.out().contains("令和9年1月1日 (2027-01-01) 〜 令和10年3月31日 (2028-03-31)")
                        && show.out().contains("承認待ち PENDING")
                        && show.out().contains("(決定なし / no decision yet)"),
                show.toString());

        CliRun noSuchDay = as(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                "R-bad-date",
                "--title",
                "t",
                "--legal-basis",
                "b",
                "--contractor",
                "c",
                "--items",
                "氏名",
                "--max-records",
                "1",
                "--valid-from",
                "令和9年2月30日",
                "--valid-until",
                "R10.3.31");
        assertEquals(ExitCode.USAGE, noSuchDay.code(), noSuchDay.toString());
        assertTrue(noSuchDay.err().contains("存在しない日付です / no such date"), noSuchDay.toString());
        CliRun unknownItem = as(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                "R-bad-item",
                "--title",
                "t",
                "--legal-basis",
                "b",
                "--contractor",
                "c",
                "--items",
                "氏明",
                "--max-records",
                "1",
                "--valid-from",
                "R9.1.1",
                "--valid-until",
                "R10.3.31");
        assertEquals(ExitCode.USAGE, unknownItem.code(), unknownItem.toString()); // a 400 from the gateway
        assertTrue(
                unknownItem.err().contains("INVALID_APPROVAL")
                        && unknownItem.err().contains("氏名 (name)"),
                unknownItem.toString());

        CliRun list = as("operator", "approvals", "list");
        ok(list);
        List<String> lines = list.out().lines().toList();
        assertEquals(3, lines.size(), list.toString());
        String header = lines.get(0);
        for (String h : List.of("参照番号 Ref", "件名 Title", "状態 Status", "現況 State", "有効期間 Valid", "件数 Transfers")) {
            assertTrue(header.contains(h), header);
        }
        String era =
                lines.stream().filter(l -> l.startsWith("R-era")).findFirst().orElseThrow();
        String sent = lines.stream().filter(l -> l.startsWith(REF)).findFirst().orElseThrow();
        assertTrue(era.contains("承認待ち PENDING") && era.contains("令和9年1月1日 (2027-01-01)"), era);
        assertTrue(sent.contains("承認 APPROVED") && sent.contains("運用中 IN_FORCE") && sent.endsWith("1"), sent);
        assertTrue(sent.contains("令和2年1月1日 (2020-01-01) 〜 令和81年12月31日 (2099-12-31)"), "not cut: " + sent);
        // every column starts at the same terminal column on every line
        for (String[] col : List.of(
                new String[] {"件名 Title", "税の催告", "特別定額給付金"},
                new String[] {"状態 Status", "承認待ち PENDING", "承認 APPROVED"},
                new String[] {"有効期間 Valid", "令和9年", "令和2年"})) {
            int at = DisplayWidth.of(header.substring(0, header.indexOf(col[0])));
            assertEquals(at, DisplayWidth.of(era.substring(0, era.indexOf(col[1], 4))), col[0] + ": " + era);
            assertEquals(at, DisplayWidth.of(sent.substring(0, sent.indexOf(col[2], 4))), col[0] + ": " + sent);
        }
        // the last column: transfers, one digit each here
        int transfers = DisplayWidth.of(header.substring(0, header.indexOf("件数 Transfers")));
        assertEquals(transfers, DisplayWidth.of(era) - 1, era);
        assertEquals(transfers, DisplayWidth.of(sent) - 1, sent);
        assertTrue(era.endsWith("0"), era);
    }

    @Test
    @Order(3)
    void anUnknownDecisionNamesTheChoicesBeforeAnyConnection() {
        CliRun r = CliRun.of(
                "approvals",
                "decide",
                "--ref",
                REF,
                "--decision",
                "cancel",
                "--reason",
                "x",
                "--gateway",
                "https://127.0.0.1:1",
                "--identity",
                world.pki.dir().resolve("secretariat.p12").toString());
        assertEquals(ExitCode.USAGE, r.code(), r.toString());
        for (String choice : List.of(
                "承認 approve",
                "条件付き承認 approve-with-conditions",
                "不承認 reject",
                "停止 suspend",
                "再開 reinstate",
                "取消し revoke",
                "取下げ withdraw")) {
            assertTrue(r.err().contains(choice), r.toString());
        }
        assertTrue(r.err().contains("the decision must be one of") && r.err().contains("'cancel'"), r.toString());
    }

    @Test
    @Order(4)
    void aPreviewNamesTheRouteThatWouldStopAndChangesNothing() {
        CliRun before = as("secretariat", "approvals", "show", "--ref", REF, "--json");
        CliRun preview =
                as("secretariat", "approvals", "decide", "--ref", FULL_WIDTH, "--decision", "suspend", "--preview");
        ok(preview);
        assertTrue(
                preview.out().contains("停止 suspend の効果 / effect (変更はしていません / nothing was changed)")
                        && preview.out().contains("承認 APPROVED → 停止中 SUSPENDED")
                        && preview.out()
                                .contains("経路 kurume-benefit はデータを運ばなくなります / route kurume-benefit will stop "
                                        + "carrying data"),
                preview.toString());
        CliRun after = as("secretariat", "approvals", "show", "--ref", REF, "--json");
        assertEquals(before.out(), after.out(), "nothing changed");
        CliRun routes = as("operator", "routes", "list");
        ok(routes);
        assertTrue(
                routes.out().startsWith("経路 Route")
                        && routes.out()
                                .lines()
                                .anyMatch(l -> l.startsWith("kurume-benefit") && l.endsWith("運用中 ACTIVE")),
                routes.toString());
    }

    @Test
    @Order(5)
    void withdrawTakesOutAPendingRecordWithItsReason() {
        CliRun noReason = as("secretariat", "approvals", "decide", "--ref", "R-era", "--decision", "withdraw");
        assertEquals(ExitCode.USAGE, noReason.code(), noReason.toString());
        CliRun withdrawn = as(
                "secretariat", "approvals", "decide", "--ref", "Ｒ－ｅｒａ", "--decision", "withdraw", "--reason", "入力誤り");
        ok(withdrawn);
        assertTrue(withdrawn.out().contains("取下げ WITHDRAWN"), withdrawn.toString());
        CliRun show = as("operator", "approvals", "show", "--ref", "R-era");
        assertTrue(
                show.out().contains("取下げ withdraw")
                        && show.out().contains("PENDING → WITHDRAWN")
                        && show.out().contains("入力誤り"),
                show.toString());
        CliRun again =
                as("secretariat", "approvals", "decide", "--ref", "R-era", "--decision", "revoke", "--reason", "x");
        assertEquals(ExitCode.REFUSED, again.code(), again.toString());
        assertTrue(again.err().contains("APPROVAL_FINAL"), again.toString());
    }

    @Test
    @Order(6)
    void conditionsGivenAtTheDecisionAreShownToTheConfirmerThenStored() {
        ok(as(
                "secretariat",
                "approvals",
                "create",
                "--ref",
                "R-cond",
                "--title",
                "給与システム",
                "--legal-basis",
                "条例第10条",
                "--contractor",
                "c",
                "--items",
                "給与,氏名",
                "--max-records",
                "100",
                "--valid-from",
                "R8.4.1",
                "--valid-until",
                "R9.3.31"));
        CliRun missing = as(
                "secretariat",
                "approvals",
                "decide",
                "--ref",
                "R-cond",
                "--decision",
                "approve-with-conditions",
                "--reason",
                "条件付き");
        assertEquals(ExitCode.USAGE, missing.code(), missing.toString()); // a 400 from the gateway
        assertTrue(missing.err().contains("CONDITIONS_REQUIRED"), missing.toString());
        CliRun wrong = as(
                "secretariat",
                "approvals",
                "decide",
                "--ref",
                "R-cond",
                "--decision",
                "approve",
                "--reason",
                "x",
                "--conditions",
                "暗号化");
        assertEquals(ExitCode.USAGE, wrong.code(), wrong.toString());

        List<String> decide = new ArrayList<>(List.of(
                "approvals",
                "decide",
                "--ref",
                "R-cond",
                "--decision",
                "approve-with-conditions",
                "--reason",
                "第3回審議会で条件付き承認",
                "--conditions",
                "納品後30日以内に廃棄すること\n廃棄後に報告書を提出すること",
                "--delete-after-delivery",
                "--deletion-report-due",
                "令和9年4月30日"));
        CliRun decided = as("secretariat", decide.toArray(String[]::new));
        ok(decided);
        assertTrue(decided.out().contains("第二の委員の確認待ち"), decided.toString());
        CliRun seen = as("secretariat2", "approvals", "show", "--ref", "R-cond");
        assertTrue(
                seen.out().contains("確認待ち Pending")
                        && seen.out().contains("第二の委員の確認待ち / waiting for a second member's confirmation")
                        && seen.out().contains("付す条件 Conditions given")
                        && seen.out().contains("納品後30日以内に廃棄すること")
                        && seen.out().contains("廃棄後に報告書を提出すること")
                        && seen.out().contains("令和9年4月30日 (2027-04-30)"),
                seen.toString());
        ok(as("secretariat2", "approvals", "decide", "--ref", "R-cond", "--confirm", "--reason", "確認"));
        CliRun show = as("operator", "approvals", "show", "--ref", "R-cond");
        String out = show.out();
        assertTrue(
                out.contains("条件付き承認 APPROVED_WITH_CONDITIONS")
                        && out.lines().anyMatch(l -> l.startsWith("条件 Conditions") && l.endsWith("納品後30日以内に廃棄すること"))
                        && out.lines().anyMatch(l -> l.strip().equals("廃棄後に報告書を提出すること"))
                        && out.contains("引渡し後に削除 / delete after delivery")
                        && out.contains("廃棄報告期限 / deletion report due: 令和9年4月30日 (2027-04-30)")
                        && out.contains("給与 (salary), 氏名 (name)")
                        && out.contains("第3回審議会で条件付き承認 / 確認 [条件を設定 / set the conditions]")
                        && !out.contains("\\x0a"),
                show.toString());
    }
}
