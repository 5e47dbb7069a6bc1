package jp.sekisho.client.demo;

import java.nio.file.Files;
import jp.sekisho.gateway.config.ReportSettings;

/**
 * The demo's last step (issue 16, item 4): the auditor writes the council report of 2総政第158号 to
 * D/report.html and D/report.pdf, after the contractor's deletion report ({@link DeletionReportStep}),
 * so the report shows it submitted.
 */
final class ReportStep {

    private ReportStep() {}

    static void run(DemoConsole c, DemoLayout d, int adminPort) {
        c.step(
                DemoLayout.REF + " の運用状況報告（審議会あて） / The council's report of " + DemoLayout.REF,
                "sekisho report（監査担当）: 諮問と答申、通したものと拒否したもの、監査ログの検証。D/report.html と D/report.pdf\n"
                        + "sekisho report (auditor): the consultation and its decisions, what passed and was refused, the"
                        + " audit log's verification; D/report.html and D/report.pdf");
        String admin = "https://127.0.0.1:" + adminPort;
        String auditor = d.cert("auditor", "p12").toString();
        c.cli(
                0,
                "report",
                "--approval",
                DemoLayout.REF,
                "--format",
                "html",
                "--out",
                d.dir().resolve("report.html").toString(),
                "--gateway",
                admin,
                "--identity",
                auditor);
        if (!Files.isReadable(ReportSettings.DEFAULT_FONT)) {
            c.say("PDF は作りません: 日本語フォント " + ReportSettings.DEFAULT_FONT + " がありません\n"
                    + "no PDF: the Japanese font is not installed (Debian: apt-get install fonts-ipaexfont-gothic)");
            return;
        }
        c.cli(
                0,
                "report",
                "--approval",
                DemoLayout.REF,
                "--format",
                "pdf",
                "--out",
                d.dir().resolve("report.pdf").toString(),
                "--gateway",
                admin,
                "--identity",
                auditor);
    }
}
