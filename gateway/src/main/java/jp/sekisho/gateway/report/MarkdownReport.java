package jp.sekisho.gateway.report;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import jp.sekisho.gateway.approval.DecisionRecord;
import jp.sekisho.gateway.report.TransferFigures.Count;
import jp.sekisho.gateway.report.TransferFigures.Month;

/**
 * The report as Markdown (GitHub tables), written as it goes. Every value is cleaned by {@link ReportText}
 * and then escaped for a table cell: {@code |} and Markdown's markup characters with a backslash, {@code <},
 * {@code >} and {@code &} as entities (a renderer would otherwise pass HTML through), a line break as
 * {@code <br>}.
 */
public final class MarkdownReport {

    private final ReportView v;
    private final Writer out;

    private MarkdownReport(ReportView v, Writer out) {
        this.v = v;
        this.out = out;
    }

    public static void write(ReportView v, Writer out) throws IOException {
        new MarkdownReport(v, out).all();
        out.flush();
    }

    /** One table cell: {@code s} (already cleaned) escaped so that it stays in its cell and shows as written. */
    static String cell(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\n' -> b.append("<br>");
                case '\r' -> {}
                case '|', '\\', '`', '*', '_', '[', ']', '#', '~', '!' ->
                    b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private void all() throws IOException {
        line("# " + cell(v.title()));
        line("");
        line("- " + cell(v.t("対象期間", "Period")) + ": " + cell(v.period()));
        line("- " + cell(v.t("作成", "Generated")) + ": " + cell(v.generated()));
        line("");
        if (v.report().kind() == Report.Kind.YEAR) {
            line("## " + cell(v.t("概要", "Summary")));
            line("");
            row(
                    v.t("承認番号", "Reference"),
                    v.t("件名", "Title"),
                    v.t("転送", "Transfers"),
                    v.t("件数", "Records"),
                    v.t("バイト", "Bytes"),
                    v.t("拒否", "Refusals"),
                    v.t("廃棄報告", "Deletion report"));
            rule(7);
            for (ApprovalSection s : v.sections()) {
                row(
                        ReportText.clean(s.approval().ref()),
                        ReportText.lines(s.approval().title()),
                        v.number(s.transfers().transfers()),
                        v.number(s.transfers().records()),
                        v.number(s.transfers().bytes()),
                        v.number(s.refusals().total()),
                        v.deletion(s.deletion()));
            }
            line("");
        }
        for (ApprovalSection s : v.sections()) {
            section(s);
        }
        line("## " + cell(v.t("監査記録の検証", "Audit chain verification")));
        line("");
        line(cell(v.chain()));
        line("");
        row(v.t("ノード", "Node"), "seq", v.t("時刻", "Time"), "hash", v.t("位置", "Position"));
        rule(5);
        for (ChainCheck.Bound b : v.report().chain().bounds()) {
            row(ReportText.clean(b.node()), Long.toString(b.seq()), v.time(b.time()), b.hash(), v.side(b.side()));
        }
        line("");
        line(cell(v.t("再確認の手順", "To re-check")) + ": `"
                + v.recheck(
                                v.report().kind() == Report.Kind.APPROVAL
                                        ? v.sections().get(0).approval().ref()
                                        : null)
                        .replace("`", "'")
                + "`");
    }

    private void section(ApprovalSection s) throws IOException {
        line("## "
                + cell(ReportText.clean(s.approval().ref()) + " "
                        + ReportText.clean(s.approval().title())));
        line("");
        line("### " + cell(v.t("諮問の内容", "Consultation")));
        line("");
        row(v.t("項目", "Field"), v.t("内容", "Value"));
        rule(2);
        for (String[] f : v.fields(s)) {
            row(f);
        }
        line("");
        line("### " + cell(v.t("決定の経過", "Decision history")));
        line("");
        row(
                v.t("日時", "When"),
                v.t("決定", "Decision"),
                v.t("起案者", "Proposed by"),
                v.t("確認者", "Confirmed by"),
                v.t("理由", "Reason"),
                v.t("状態", "Status"));
        rule(6);
        for (DecisionRecord d : s.history()) {
            row(v.decision(d));
        }
        line("");
        line("### " + cell(v.t("経路と現在の状態", "Routes and their state now")));
        line("");
        row(v.t("経路", "Route"), v.t("種類", "Kind"), v.t("リスナー", "Listener"), v.t("状態", "State"), v.t("説明", "Meaning"));
        rule(5);
        for (ApprovalSection.RouteLine r : s.routes()) {
            row(v.route(r));
        }
        line("");
        TransferFigures t = s.transfers();
        line("### " + cell(v.t("転送の実績", "Transfers")));
        line("");
        row(v.t("項目", "Figure"), v.t("値", "Value"));
        rule(2);
        row(v.t("転送数", "Transfers stored"), v.number(t.transfers()));
        row(v.t("申告件数（レコード）", "Declared records"), v.number(t.records()));
        row(v.t("バイト数", "Bytes"), v.number(t.bytes()));
        row(v.t("削除（受領確認後）", "Purged after acknowledgment"), v.number(t.purges()));
        line("");
        row(v.t("月", "Month"), v.t("転送数", "Transfers"), v.t("件数", "Records"), v.t("バイト", "Bytes"));
        rule(4);
        for (Month m : t.months()) {
            row(m.month(), v.number(m.transfers()), v.number(m.records()), v.number(m.bytes()));
        }
        line("");
        row(v.t("記録の種別", "Event type"), v.t("件数", "Count"));
        rule(2);
        for (Count c : t.byEvent()) {
            row(c.key(), v.number(c.count()));
        }
        line("");
        Refusals r = s.refusals();
        line("### " + cell(v.t("拒否", "Refusals")) + " (" + v.number(r.total()) + ")");
        line("");
        counts(v.t("理由コード", "Reason code"), r.byReason(), 0);
        counts(v.t("送信元アドレス", "Source address"), r.bySource(), r.otherSources());
        line("### " + cell(v.t("廃棄報告", "Deletion report")));
        line("");
        line(cell(v.deletion(s.deletion())));
        line("");
    }

    private void counts(String head, List<Count> counts, long others) throws IOException {
        row(head, v.t("件数", "Count"));
        rule(2);
        for (Count c : counts) {
            row(ReportText.clean(c.key()), v.number(c.count()));
        }
        if (others > 0) {
            row(v.t("その他", "others"), v.number(others));
        }
        line("");
    }

    private void row(String... cells) throws IOException {
        StringBuilder b = new StringBuilder("|");
        for (String c : cells) {
            b.append(' ').append(cell(c)).append(" |");
        }
        line(b.toString());
    }

    private void rule(int n) throws IOException {
        line("|" + " --- |".repeat(n));
    }

    private void line(String s) throws IOException {
        out.write(s);
        out.write('\n');
    }
}
