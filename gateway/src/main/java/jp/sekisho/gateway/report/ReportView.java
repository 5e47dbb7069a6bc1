package jp.sekisho.gateway.report;

import java.util.ArrayList;
import java.util.List;
import jp.sekisho.gateway.approval.DecisionRecord;

/**
 * A report as its renderers read it, in one language order: Japanese first with English beside it, or
 * with {@code lang=en} English first. Every value comes out of {@link ReportText} already cleaned; the
 * renderer escapes it for its own format.
 */
public final class ReportView {

    private final Report report;
    private final boolean english;

    public ReportView(Report report, boolean english) {
        this.report = report;
        this.english = english;
    }

    public Report report() {
        return report;
    }

    public String lang() {
        return english ? "en" : "ja";
    }

    /** A heading or label in both languages, the reader's first. */
    public String t(String ja, String en) {
        return english ? en + " / " + ja : ja + " / " + en;
    }

    public String title() {
        if (report.kind() == Report.Kind.APPROVAL) {
            String ref = ReportText.clean(report.sections().get(0).approval().ref());
            return t("運用状況報告 " + ref, "Operation report " + ref);
        }
        return report.year() > 0
                ? t("運用状況報告（年次） " + report.year() + "年", "Yearly operation report " + report.year())
                : t("運用状況報告（期間）", "Operation report (period)");
    }

    public String period() {
        return report.period().text();
    }

    public String generated() {
        return ReportText.time(report.generatedAt()) + " / " + t("ノード", "node") + " " + ReportText.clean(report.node());
    }

    public List<ApprovalSection> sections() {
        return report.sections();
    }

    /** The consultation's fields as label and value rows (values cleaned, free text keeps its lines). */
    public List<String[]> fields(ApprovalSection s) {
        var a = s.approval();
        List<String[]> rows = new ArrayList<>();
        rows.add(row(t("承認番号", "Reference"), ReportText.clean(a.ref())));
        rows.add(row(t("件名", "Title"), ReportText.lines(a.title())));
        rows.add(row(t("根拠条文", "Legal basis"), ReportText.clean(a.legalBasis())));
        rows.add(row(t("実施機関（所管課）", "Departments"), join(a.departments())));
        rows.add(row(t("受託事業者", "Contractor"), ReportText.clean(a.contractor())));
        rows.add(row(t("再委託先", "Subcontractors"), join(a.subcontractors())));
        rows.add(row(t("個人情報項目", "Data items"), join(s.dataItems())));
        rows.add(row(t("最大件数（1回）", "Max records per transfer"), ReportText.number(a.maxRecords())));
        rows.add(row(t("承認期間", "Valid"), ReportText.date(a.validFrom()) + " 〜 " + ReportText.date(a.validUntil())));
        rows.add(row(t("条件", "Conditions"), ReportText.lines(a.conditions().text())));
        rows.add(row(
                t("提供後削除", "Delete after delivery"),
                a.conditions().deleteAfterDelivery() ? t("あり", "yes") : t("なし", "no")));
        rows.add(row(t("審議会", "Meeting"), ReportText.clean(a.meetingRef())));
        rows.add(row(
                t("状態（作成時点）", "State (when made)"),
                english ? s.stateEn() + " / " + s.stateJa() : s.stateJa() + " / " + s.stateEn()));
        if (s.tamper() != null) {
            rows.add(row(t("改ざん検知", "Tampering detected"), ReportText.clean(s.tamper())));
        }
        return rows;
    }

    /** One decision: when, what, who proposed, who confirmed, why, status before → after. */
    public String[] decision(DecisionRecord d) {
        return new String[] {
            ReportText.time(d.at()),
            english
                    ? d.decision().english() + " / " + d.decision().japanese()
                    : d.decision().japanese() + " / " + d.decision().english(),
            ReportText.clean(d.by() == null ? "" : d.by().subject()),
            ReportText.clean(d.confirmedBy() == null ? "" : d.confirmedBy().subject()),
            ReportText.lines(d.reason()),
            d.before().japanese() + " → " + d.after().japanese()
        };
    }

    public String[] route(ApprovalSection.RouteLine r) {
        return new String[] {
            ReportText.clean(r.id()),
            r.kind().equals("RELAY") ? t("中継経路", "relay") : t("転送経路", "transfer"),
            ReportText.clean(r.listener()),
            r.state(),
            english ? r.stateEn() : r.stateJa()
        };
    }

    /** The deletion report's status in one line. */
    public String deletion(DeletionStatus d) {
        if (d instanceof DeletionStatus.DueBy due) {
            return t(ReportText.date(due.due()) + "までに提出", "due by " + ReportText.date(due.due()));
        }
        if (d instanceof DeletionStatus.Overdue o) {
            return t("期限超過（" + ReportText.date(o.due()) + "）", "overdue (due " + ReportText.date(o.due()) + ")");
        }
        if (d instanceof DeletionStatus.Submitted s) {
            return t(
                    ReportText.time(s.at()) + " 提出、署名者 " + ReportText.clean(s.signer()) + "、責任者 "
                            + ReportText.clean(s.responsible()) + "、転送 " + s.transfers() + " 件",
                    "submitted " + ReportText.time(s.at()) + ", signed by " + ReportText.clean(s.signer())
                            + ", responsible " + ReportText.clean(s.responsible()) + ", " + s.transfers()
                            + " transfers");
        }
        return t("提出期限の定めなし", "no due date set");
    }

    /** The chain's verdict in one line. */
    public String chain() {
        ChainCheck c = report.chain();
        return c.ok()
                ? t(
                        "検証済み：改ざんなし（記録 " + ReportText.number(c.events()) + " 件、署名付きチェックポイント "
                                + ReportText.number(c.checkpoints()) + " 件）",
                        "verified intact (" + ReportText.number(c.events()) + " events, "
                                + ReportText.number(c.checkpoints()) + " signed checkpoints)")
                : t("検証失敗：", "verification FAILED: ") + ReportText.clean(c.problem());
    }

    public String side(String side) {
        return switch (side) {
            case "BEFORE" -> t("期間の前", "before the period");
            case "AFTER" -> t("期間の後", "after the period");
            default -> t("最新（期間末以降は未封印）", "latest (later events not yet sealed)");
        };
    }

    public String number(long n) {
        return ReportText.number(n);
    }

    public String time(java.time.Instant t) {
        return ReportText.time(t);
    }

    public String clean(String s) {
        return ReportText.clean(s);
    }

    /** The command that re-checks the figures against an export of the same period. */
    public String recheck(String ref) {
        return "sekisho audit export --gateway URL --identity P12"
                + (ref == null ? "" : " --approval " + ReportText.clean(ref)) + " --from "
                + report.period().from()
                + " --to " + report.period().to().plusDays(1) + " --out period.jsonl"
                + " ; sekisho audit verify --file period.jsonl --keys KEYS.json";
    }

    private static String join(List<String> values) {
        return String.join("、", values.stream().map(ReportText::clean).toList());
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }
}
