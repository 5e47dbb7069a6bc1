package jp.sekisho.client.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import jp.sekisho.certs.testing.TestPki;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.client.CliRun;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.DecisionOutcome;
import jp.sekisho.gateway.support.GatewayFixture;
import jp.sekisho.gateway.transfer.TransferWorld;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sekisho report} against a running gateway: each kind of report to a file, and its refusals. */
class ReportCliTest {

    static final String REF = "2総政第158号";

    @TempDir
    static Path dir;

    static GatewayFixture gw;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir.resolve("certs"));
        for (String n : new String[] {"auditor", "operator", "secretariat", "secretariat2"}) {
            pki.client(n);
        }
        gw = GatewayFixture.start(dir.resolve("gw"), pki, """
                  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }
                  admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
                """, """
                  - { subject: "CN=auditor,O=Sekisho",  roles: [auditor] }
                  - { subject: "CN=operator,O=Sekisho", roles: [operator] }
                  - { subject: "CN=secretariat,O=Sekisho", roles: [secretariat] }
                  - { subject: "CN=secretariat2,O=Sekisho", roles: [secretariat] }
                """);
        var approvals = gw.gateway.policy().approvals();
        assertInstanceOf(
                DecisionOutcome.Applied.class, approvals.create(TransferWorld.draft(REF, 1000), TransferWorld.ALICE));
        approvals.decide(REF, Decision.APPROVE, "答申", TransferWorld.ALICE);
        assertInstanceOf(DecisionOutcome.Applied.class, approvals.confirm(REF, "確認", TransferWorld.BOB));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    static CliRun report(String who, String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "report";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--gateway";
        all[args.length + 2] = gw.url("admin", "");
        all[args.length + 3] = "--identity";
        all[args.length + 4] = pki.dir().resolve(who + ".p12").toString();
        return CliRun.of(all);
    }

    @Test
    void anApprovalsReportAYearsAndAPeriodsAreWrittenToFiles() throws Exception {
        Path md = dir.resolve("r.md");
        CliRun a = report("auditor", "--approval", "２総政第１５８号", "--format", "md", "--out", md.toString());
        assertEquals(0, a.code(), a.toString());
        String text = Files.readString(md, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("# 運用状況報告 " + REF), text);
        assertTrue(a.out().contains("report written"), a.toString());

        int year = LocalDate.now(JapaneseDates.TOKYO).getYear();
        Path pdf = dir.resolve("year.pdf");
        CliRun y = report("secretariat", "--year", Integer.toString(year), "--format", "pdf", "--out", pdf.toString());
        assertEquals(0, y.code(), y.toString());
        byte[] head = Files.readAllBytes(pdf);
        assertEquals("%PDF", new String(head, 0, 4, StandardCharsets.US_ASCII));

        Path html = dir.resolve("period.html");
        CliRun p = report(
                "auditor", "--from", "令和8年1月1日", "--to", year + "-12-31", "--lang", "en", "--out", html.toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(
                Files.readString(html).contains("Operation report (period) / 運用状況報告（期間）")
                        || Files.readString(html).contains("Yearly operation report"),
                Files.readString(html));
    }

    @Test
    void refusalsSayWhyAndLeaveNoFile() {
        Path out = dir.resolve("refused.md");
        CliRun op = report("operator", "--approval", REF, "--format", "md", "--out", out.toString());
        assertEquals(1, op.code(), op.toString());
        assertTrue(op.err().contains("ROLE_REQUIRED"), op.toString());
        assertFalse(Files.exists(out));

        CliRun none = report("auditor", "--format", "md", "--out", out.toString());
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("--approval REF"), none.toString());

        CliRun unknown = report("auditor", "--approval", "9総政第999号", "--out", out.toString());
        assertEquals(1, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("APPROVAL_UNKNOWN"), unknown.toString());
        assertFalse(Files.exists(out));

        CliRun badFormat = report("auditor", "--year", "2026", "--format", "docx", "--out", out.toString());
        assertEquals(2, badFormat.code(), badFormat.toString());
    }
}
