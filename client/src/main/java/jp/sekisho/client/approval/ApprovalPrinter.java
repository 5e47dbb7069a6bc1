package jp.sekisho.client.approval;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jp.sekisho.cli.DisplayWidth;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.cli.TextTable;
import jp.sekisho.gateway.approval.ApprovalStatus;
import jp.sekisho.gateway.approval.Decision;

/**
 * Approvals as the secretariat reads them on a terminal: Japanese labels with English beside
 * them, dates in the era and the Western calendar, times in Asia/Tokyo, data items by their
 * Japanese label, conditions as text. Every value from the gateway is printed through
 * {@link Printable} or {@link TextTable}.
 */
public final class ApprovalPrinter {

    private static final int LABEL_WIDTH = 28;

    private ApprovalPrinter() {}

    /** The list: 参照番号 Ref, 件名 Title, 状態 Status, 現況 State, 有効期間 Valid, 件数 Transfers. */
    static String table(List<Object> approvals) {
        TextTable t = new TextTable(
                List.of("参照番号 Ref", "件名 Title", "状態 Status", "現況 State", "有効期間 Valid", "件数 Transfers"), 64);
        for (Object o : approvals) {
            Map<?, ?> a = (Map<?, ?>) o;
            Map<?, ?> pending = (Map<?, ?>) a.get("pending");
            t.row(
                    a.get("ref"),
                    a.get("title"),
                    status(a.get("status"))
                            + (pending == null ? "" : " (確認待ち awaiting: " + pending.get("decision") + ")"),
                    state(a.get("state")) + overdue(a),
                    validity(a.get("validFrom"), a.get("validUntil")),
                    usage(a) == null ? "-" : String.format("%,d", number(usage(a).get("transfers"))));
        }
        return t.render();
    }

    /** One approval, field by field, then its history as a table. */
    static void show(PrintWriter out, Map<String, Object> a, List<Object> history) {
        field(out, "参照番号 Ref", a.get("ref"));
        field(out, "件名 Title", a.get("title"));
        field(out, "根拠条項 Legal basis", a.get("legalBasis"));
        field(out, "実施機関 Departments", joined(a.get("departments")));
        field(out, "受託事業者 Contractor", a.get("contractor"));
        field(out, "再委託先 Subcontractors", joined(a.get("subcontractors")));
        field(out, "個人情報項目 Data items", items(a));
        field(out, "上限件数 Max records", String.format("%,d", number(a.get("maxRecords"))));
        field(out, "有効期間 Valid", validity(a.get("validFrom"), a.get("validUntil")));
        conditions(out, "条件 Conditions", (Map<?, ?>) a.get("conditions"));
        field(out, "審議会 Meeting", a.get("meetingRef"));
        field(out, "状態 Status", status(a.get("status")));
        field(out, "現況 State", state(a.get("state")));
        if (Boolean.TRUE.equals(a.get("deletionReportOverdue"))) {
            field(out, "廃棄報告 Deletion report", "期限超過 OVERDUE: 期限までに受理された報告がありません / none accepted by the due date");
        }
        if (a.get("tamper") != null) {
            field(out, "改ざん検知 Tampered", a.get("tamper"));
        }
        Map<?, ?> pending = (Map<?, ?>) a.get("pending");
        if (pending != null) {
            field(
                    out,
                    "確認待ち Pending",
                    "第二の委員の確認待ち / waiting for a second member's confirmation: "
                            + decision(pending.get("decision")) + ", 提案 by " + pending.get("by") + ", "
                            + time(pending.get("at")) + ", 理由 reason: " + pending.get("reason"));
            if (pending.get("conditions") != null) {
                conditions(out, "  付す条件 Conditions given", (Map<?, ?>) pending.get("conditions"));
            }
        }
        Map<?, ?> usage = usage(a);
        if (usage != null) {
            field(
                    out,
                    "実績 Usage",
                    String.format(
                            "転送 %,d 件 / transfers, 記録 %,d 件 / records",
                            number(usage.get("transfers")), number(usage.get("records"))));
        }
        field(out, "版 Version", a.get("version"));
        out.println("履歴 History:");
        if (history.isEmpty()) {
            out.println("  (決定なし / no decision yet)");
            return;
        }
        TextTable t = new TextTable(
                List.of("日時 Time (JST)", "決定 Decision", "変更 Change", "提案 Proposed by", "確認 Confirmed by", "理由 Reason"),
                80);
        for (Object o : history) {
            Map<?, ?> e = (Map<?, ?>) o;
            Map<?, ?> c = (Map<?, ?>) e.get("conditions");
            t.row(
                    time(e.get("at")),
                    decision(e.get("decision")),
                    e.get("before") + " → " + e.get("after"),
                    e.get("by"),
                    e.get("confirmedBy"),
                    // the conditions a decision set are shown in full above; the line says that it set them
                    e.get("reason") + (c == null ? "" : " [条件を設定 / set the conditions]"));
        }
        t.render().lines().forEach(l -> out.println("  " + l));
    }

    /** "承認 APPROVED": the Japanese label and the code. */
    static String status(Object code) {
        try {
            ApprovalStatus s = ApprovalStatus.valueOf(String.valueOf(code));
            return s.japanese() + " " + s.name();
        } catch (IllegalArgumentException e) {
            return String.valueOf(code);
        }
    }

    /** "承認 approve": the Japanese word and the spelling the CLI takes. */
    static String decision(Object cliName) {
        return Decision.parse(String.valueOf(cliName))
                .map(d -> d.japanese() + " " + d.cliName())
                .orElse(String.valueOf(cliName));
    }

    /** An approval's or a route's derived state in both languages: 運用中 IN_FORCE, 期間終了 APPROVAL_EXPIRED, … */
    public static String state(Object code) {
        String c = String.valueOf(code);
        String ja = switch (c) {
            case "IN_FORCE" -> "運用中";
            case "APPROVAL_PENDING" -> "承認待ち";
            case "APPROVAL_REJECTED" -> "不承認";
            case "APPROVAL_SUSPENDED" -> "停止中";
            case "APPROVAL_REVOKED" -> "取消し";
            case "APPROVAL_WITHDRAWN" -> "取下げ";
            case "APPROVAL_NOT_YET_VALID" -> "期間前";
            case "APPROVAL_EXPIRED" -> "期間終了";
            case "APPROVAL_TAMPERED" -> "改ざん検知";
            case "ACTIVE" -> "運用中";
            default -> null;
        };
        return ja == null ? c : ja + " " + c;
    }

    /** 令和2年1月1日 (2020-01-01) 〜 令和81年12月31日 (2099-12-31) */
    static String validity(Object from, Object until) {
        return date(from) + " 〜 " + date(until);
    }

    private static String date(Object iso) {
        if (iso == null) {
            return "-";
        }
        try {
            return JapaneseDates.eraAndWestern(LocalDate.parse(iso.toString()));
        } catch (DateTimeParseException e) {
            return iso.toString();
        }
    }

    /** 2026-12-04 21:20:19 JST */
    static String time(Object iso) {
        if (iso == null) {
            return "-";
        }
        try {
            return JapaneseDates.timeJst(Instant.parse(iso.toString()));
        } catch (DateTimeParseException e) {
            return iso.toString();
        }
    }

    private static Map<?, ?> usage(Map<?, ?> a) {
        return (Map<?, ?>) a.get("usage");
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static String joined(Object list) {
        if (!(list instanceof List<?> l) || l.isEmpty()) {
            return "-";
        }
        return l.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** 氏名 (name), 住所 (address) */
    private static String items(Map<?, ?> a) {
        Object items = a.get("items");
        if (!(items instanceof List<?> l)) {
            return joined(a.get("dataItems"));
        }
        return l.stream()
                .map(i -> (Map<?, ?>) i)
                .map(i -> i.get("japanese") + " (" + i.get("code") + ")")
                .collect(Collectors.joining(", "));
    }

    /** " [廃棄報告期限超過 deletion report overdue]" when the gateway says so, else "". */
    static String overdue(Map<?, ?> a) {
        return Boolean.TRUE.equals(a.get("deletionReportOverdue")) ? " [廃棄報告期限超過 deletion report overdue]" : "";
    }

    /** The text line by line (each made printable), then the flags, in both languages. */
    private static void conditions(PrintWriter out, String label, Map<?, ?> c) {
        if (c == null) {
            field(out, label, "-");
            return;
        }
        String text = c.get("text") == null ? "" : c.get("text").toString();
        List<String> lines =
                text.isBlank() ? List.of("(条件なし / none)") : text.lines().toList();
        field(out, label, lines.get(0));
        for (String l : lines.subList(1, lines.size())) {
            field(out, "", l);
        }
        if (Boolean.TRUE.equals(c.get("deleteAfterDelivery"))) {
            field(out, "", "引渡し後に削除 / delete after delivery");
        }
        if (c.get("deletionReportDue") != null) {
            field(out, "", "廃棄報告期限 / deletion report due: " + date(c.get("deletionReportDue")));
        }
    }

    private static void field(PrintWriter out, String label, Object value) {
        out.println(
                (DisplayWidth.pad(label, LABEL_WIDTH) + "  " + (value == null ? "-" : Printable.of(value.toString())))
                        .stripTrailing());
    }
}
