package jp.sekisho.client.approval;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.RefNumbers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code sekisho approvals ...}: the secretariat's commands, over mutual TLS with the caller's own certificate. */
@Command(
        name = "approvals",
        mixinStandardHelpOptions = true,
        description = {
            "諮問と審議会の決定を記録し（事務局）、一覧します（役割を持つ人なら誰でも）。"
                    + " Records consultations and the council's decisions (secretariat); lists them (anyone with a"
                    + " role).",
            "",
            "経路がデータを運ぶのは、その承認が効力を持つ間だけです。データを流す決定（approve、"
                    + "approve-with-conditions、reinstate）は、事務局のもう 1 人が `decide --confirm`"
                    + " で確認したときに効力を生じます。reject、suspend、revoke、withdraw はすぐに効きます。",
            "参照番号は正規化します（８福第３０１号 は 8福第301号）。日付は 令和9年1月1日、R9.1.1、2027-01-01"
                    + " のどれでも書けます。個人情報項目はコード、日本語名、英語名のどれでも指定できます（氏名、Name、"
                    + "name）。",
            "",
            "A route carries data only while its approval is in force. Decisions that let data flow (approve, "
                    + "approve-with-conditions, reinstate) take effect when a second secretariat member confirms them "
                    + "with `decide --confirm`; reject, suspend, revoke and withdraw act at once.",
            "Reference numbers are normalised (８福第３０１号 is 8福第301号); dates may be written 令和9年1月1日,"
                    + " R9.1.1 or 2027-01-01; data items by code or by Japanese or English label (氏名, Name, name)."
        },
        subcommands = {
            ApprovalsCommand.ListCmd.class,
            ApprovalsCommand.Show.class,
            ApprovalsCommand.Create.class,
            ApprovalsCommand.Decide.class
        })
public final class ApprovalsCommand {

    /** The API path of an approval, its reference normalised as the gateway does it. */
    static String path(String ref) {
        return "api/v1/approvals/"
                + URLEncoder.encode(RefNumbers.normalise(ref), StandardCharsets.UTF_8)
                        .replace("+", "%20");
    }

    /** A council date in any form {@link JapaneseDates#parse} reads; the bilingual error names the forms. */
    static final class CouncilDate implements ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String value) {
            try {
                return JapaneseDates.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "承認を一覧します（参照番号、件名、状態、現況、有効期間（和暦と西暦）、これまでの転送件数）"
                    + "。 Lists approvals: reference, title, status, state now, validity (era and Western), transfers"
                    + " so far.")
    static final class ListCmd extends RemoteCommand {
        @Option(names = "--json", description = "記録を JSON で表示します / Print the JSON records.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            GatewayClient.Response r = client.get("api/v1/approvals");
            if (json) {
                out().println(r.body());
                return;
            }
            out().print(ApprovalPrinter.table(r.array()));
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "承認を 1 件表示します（全項目、個人情報項目の日本語名、条件、実績、決定の履歴）。"
                    + " Shows one approval: every field, data items by Japanese label, conditions, usage so far, and"
                    + " its decision history (who proposed, who confirmed, when in JST, why).")
    static final class Show extends RemoteCommand {
        @Option(
                names = "--ref",
                required = true,
                paramLabel = "REF",
                description = "参照番号 / Reference number, e.g. 2総政第158号.")
        String ref;

        @Option(names = "--json", description = "記録を JSON で表示します / Print the JSON record.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            GatewayClient.Response r = client.get(path(ref));
            GatewayClient.Response h = client.get(path(ref) + "/history");
            if (json) {
                out().println("{\"approval\":" + r.body() + ",\"history\":" + h.body() + "}");
                return;
            }
            ApprovalPrinter.show(out(), r.object(), h.array());
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "諮問を承認待ち（PENDING）として記録します（個人情報項目はコードか名前で指定）。"
                    + " Records a consultation (諮問) as PENDING. Data items by code or label: name or 氏名,"
                    + " birth_date or 生年月日, address or 住所, … (docs/approvals-and-routes.md lists them).")
    static final class Create extends RemoteCommand {
        @Option(
                names = "--ref",
                required = true,
                paramLabel = "REF",
                description = "参照番号（重複不可） / Reference number, unique (e.g. 2総政第158号).")
        String ref;

        @Option(
                names = "--title",
                required = true,
                paramLabel = "TEXT",
                description = "諮問の件名 / Title of the consultation.")
        String title;

        @Option(
                names = "--legal-basis",
                required = true,
                paramLabel = "TEXT",
                description = "根拠条項 / Article, e.g. 条例第10条第1項第2号.")
        String legalBasis;

        @Option(
                names = "--department",
                paramLabel = "NAME",
                description = "実施機関（依頼する部署、繰り返し可） / Requesting department (repeatable).")
        List<String> departments = new ArrayList<>();

        @Option(
                names = "--contractor",
                required = true,
                paramLabel = "NAME",
                description = "受託事業者 / The contractor (受託事業者).")
        String contractor;

        @Option(
                names = "--subcontractor",
                paramLabel = "NAME",
                description = "承認された再委託先（繰り返し可） / An approved subcontractor (repeatable).")
        List<String> subcontractors = new ArrayList<>();

        @Option(
                names = "--items",
                required = true,
                split = "[,、，]",
                paramLabel = "ITEM",
                description = "承認された個人情報項目（カンマ区切り） / Approved data items, comma-separated: codes or"
                        + " Japanese or English labels (氏名,住所).")
        List<String> items;

        @Option(
                names = "--max-records",
                required = true,
                paramLabel = "N",
                description = "転送 1 回あたりの上限件数 / Most records a transfer may carry.")
        long maxRecords;

        @Option(
                names = "--valid-from",
                required = true,
                paramLabel = "DATE",
                converter = CouncilDate.class,
                description = "有効期間の初日（日本時間） / First day in force (Asia/Tokyo): 令和9年1月1日, R9.1.1 or 2027-01-01.")
        LocalDate validFrom;

        @Option(
                names = "--valid-until",
                required = true,
                paramLabel = "DATE",
                converter = CouncilDate.class,
                description = "有効期間の末日（日本時間、その日を含む） / Last day in force (Asia/Tokyo), inclusive:"
                        + " 令和9年3月31日, R9.3.31 or 2027-03-31.")
        LocalDate validUntil;

        @Option(
                names = "--conditions",
                paramLabel = "TEXT",
                description = "審議会が付した条件（議事録のとおり） / The council's conditions, as minuted.")
        String conditions = "";

        @Option(
                names = "--delete-after-delivery",
                description = "条件: 引渡し後に削除（写しを残さない） / Condition: no copy may remain after delivery.")
        boolean deleteAfterDelivery;

        @Option(
                names = "--deletion-report-due",
                paramLabel = "DATE",
                converter = CouncilDate.class,
                description = "条件: 廃棄報告期限 / Condition: deletion report (廃棄報告) due by (era or Western date).")
        LocalDate deletionReportDue;

        @Option(names = "--meeting", paramLabel = "REF", description = "審議会の回 / Meeting reference (e.g. 令和2年度第3回).")
        String meeting;

        @Option(names = "--json", description = "回答の JSON を表示します / Print the JSON answer.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            Map<String, Object> cond = new LinkedHashMap<>();
            cond.put("text", conditions);
            cond.put("deleteAfterDelivery", deleteAfterDelivery);
            cond.put("deletionReportDue", deletionReportDue == null ? null : deletionReportDue.toString());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ref", RefNumbers.normalise(ref));
            body.put("title", title);
            body.put("legalBasis", legalBasis);
            body.put("departments", departments);
            body.put("contractor", contractor);
            body.put("subcontractors", subcontractors);
            body.put("dataItems", items);
            body.put("maxRecords", maxRecords);
            body.put("validFrom", validFrom.toString());
            body.put("validUntil", validUntil.toString());
            body.put("conditions", cond);
            body.put("meetingRef", meeting);
            GatewayClient.Response r = client.post("api/v1/approvals", JsonOut.write(body));
            out().println(
                            json
                                    ? r.body()
                                    : Printable.of(
                                            "recorded " + RefNumbers.normalise(ref) + " as PENDING / 承認待ちとして記録しました"));
        }
    }

    @Command(
            name = "decide",
            mixinStandardHelpOptions = true,
            description = {
                "審議会の決定を記録するか、その効果を確かめるか、同僚の決定を確認します。"
                        + " Records a decision of the council, previews its effect, or confirms a colleague's.",
                "",
                "approve、approve-with-conditions、reinstate は事務局のもう 1 人の --confirm を待ちます。reject、"
                        + "suspend、revoke、withdraw はすぐに効きます。REVOKED と WITHDRAWN は最終状態です。"
                        + "withdraw（取下げ）は誤って入力した PENDING の記録を閉じます。",
                "approve-with-conditions には審議会で付された条件（--conditions）を付けます。条件は 2 人目が確認したときに承認に設定されます。",
                "--preview は決定の効果（状態、止まる経路・動き出す経路）を示すだけで、何も変えません。",
                "",
                "approve, approve-with-conditions and reinstate wait for a second secretariat member's --confirm;"
                        + " reject, suspend, revoke and withdraw take effect at once. REVOKED and WITHDRAWN are final."
                        + " withdraw (取下げ) closes a PENDING record entered by mistake.",
                "approve-with-conditions takes the conditions given at the meeting (--conditions); they are set on "
                        + "the approval when the second member confirms.",
                "--preview shows what the decision would do (status, routes that stop or start) and changes nothing."
            })
    static final class Decide extends RemoteCommand {
        @Option(names = "--ref", required = true, paramLabel = "REF", description = "参照番号 / Reference number.")
        String ref;

        static final class What {
            @Option(
                    names = "--decision",
                    paramLabel = "DECISION",
                    required = true,
                    description = "決定の種類 / approve (承認), approve-with-conditions (条件付き承認), reject"
                            + " (不承認), suspend (停止), reinstate (再開), revoke (取消し) or withdraw (取下げ).")
            String decision;

            @Option(
                    names = "--confirm",
                    required = true,
                    description = "同僚の決定を確認します / Confirm the decision a colleague made.")
            boolean confirm;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        What what;

        @Option(
                names = "--reason",
                paramLabel = "TEXT",
                description = "理由（決定には必須。履歴に残ります） / Why (required for a decision; kept in the history).")
        String reason;

        @Option(
                names = "--conditions",
                paramLabel = "TEXT",
                description = "条件付き承認のとき: 審議会で付された条件 / With approve-with-conditions: the conditions"
                        + " as minuted at the meeting.")
        String conditions;

        @Option(
                names = "--delete-after-delivery",
                description = "条件付き承認のとき: 引渡し後に削除 / With approve-with-conditions: no copy may remain after delivery.")
        boolean deleteAfterDelivery;

        @Option(
                names = "--deletion-report-due",
                paramLabel = "DATE",
                converter = CouncilDate.class,
                description = "条件付き承認のとき: 廃棄報告期限 / With approve-with-conditions: deletion report"
                        + " (廃棄報告) due by (era or Western date).")
        LocalDate deletionReportDue;

        @Option(
                names = "--override-overdue",
                paramLabel = "REASON",
                description = "廃棄報告が期限超過の承認でも、この理由で再開・承認します（理由は記録に残ります）"
                        + " / With reinstate, approve or approve-with-conditions on an approval whose deletion report"
                        + " (廃棄報告) is overdue: go ahead anyway, for this reason (kept in the decision's record and"
                        + " audit event). Without it such a decision is refused DELETION_REPORT_OVERDUE.")
        String overrideOverdue;

        @Option(
                names = "--preview",
                description = "決定の効果を示すだけで、何も変えません / Show what the decision would do; change nothing.")
        boolean preview;

        @Option(names = "--json", description = "回答の JSON を表示します / Print the JSON answer.")
        boolean json;

        @Override
        protected void run() {
            Decision decision = null;
            if (!what.confirm) {
                // checked before any connection: the error names every choice in both languages
                decision = Decision.parse(what.decision)
                        .orElseThrow(() -> CliException.usage(Decision.unknown(what.decision)));
            } else if (preview) {
                throw CliException.usage("--preview goes with --decision, not --confirm");
            }
            boolean anyCondition = conditions != null || deleteAfterDelivery || deletionReportDue != null;
            if (anyCondition && decision != Decision.APPROVE_WITH_CONDITIONS) {
                throw CliException.usage("条件は条件付き承認にのみ付けられます / --conditions, --delete-after-delivery and "
                        + "--deletion-report-due go only with --decision approve-with-conditions");
            }
            GatewayClient client = client();
            if (preview) {
                GatewayClient.Response r = client.get(path(ref) + "/preview?decision=" + decision.cliName());
                if (json) {
                    out().println(r.body());
                } else {
                    printPreview(r.object());
                }
                return;
            }
            GatewayClient.Response r;
            if (what.confirm) {
                r = client.post(
                        path(ref) + "/confirmations", JsonOut.write(Map.of("reason", reason == null ? "" : reason)));
            } else {
                if (reason == null || reason.isBlank()) {
                    throw CliException.usage(
                            "理由が必要です / --reason is required with --decision (it is kept in the history)");
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("decision", decision.cliName());
                body.put("reason", reason);
                if (anyCondition) {
                    Map<String, Object> cond = new LinkedHashMap<>();
                    cond.put("text", conditions == null ? "" : conditions);
                    cond.put("deleteAfterDelivery", deleteAfterDelivery);
                    cond.put("deletionReportDue", deletionReportDue == null ? null : deletionReportDue.toString());
                    body.put("conditions", cond);
                }
                if (overrideOverdue != null) {
                    if (overrideOverdue.isBlank() || !decision.opensFlow()) {
                        throw CliException.usage("--override-overdue は理由を付けて再開・承認にのみ使えます / "
                                + "--override-overdue takes a reason and goes only with reinstate, approve or "
                                + "approve-with-conditions");
                    }
                    body.put("overrideOverdue", overrideOverdue);
                }
                r = client.post(path(ref) + "/decisions", JsonOut.write(body));
            }
            if (json) {
                out().println(r.body());
                return;
            }
            Map<String, Object> res = r.object();
            Map<?, ?> a = (Map<?, ?>) res.get("approval");
            out().println(Printable.of(a.get("ref") + ": " + res.get("message")));
            out().println(Printable.of("  状態 status: " + ApprovalPrinter.status(a.get("status")) + ", 現況 state: "
                    + ApprovalPrinter.state(a.get("state"))));
        }

        private void printPreview(Map<String, Object> p) {
            out().println(Printable.of(RefNumbers.normalise(ref) + ": " + ApprovalPrinter.decision(p.get("decision"))
                    + " の効果 / effect (変更はしていません / nothing was changed)"));
            out().println(Printable.of("  状態 status: " + ApprovalPrinter.status(p.get("statusBefore")) + " → "
                    + ApprovalPrinter.status(p.get("statusAfter"))));
            if (Boolean.TRUE.equals(p.get("needsSecondPerson"))) {
                out().println("  第二の委員の確認後に効力を生じます / takes effect once a second member confirms it");
            }
            List<?> routes = (List<?>) p.get("routes");
            if (routes == null || routes.isEmpty()) {
                out().println("  この承認に属する経路はありません / no route depends on this approval");
                return;
            }
            for (Object o : routes) {
                Map<?, ?> e = (Map<?, ?>) o;
                out().println("  " + Printable.of(String.valueOf(e.get("effect"))));
            }
        }
    }
}
