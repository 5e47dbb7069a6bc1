package jp.sekisho.client.approval;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.gateway.approval.Decision;
import jp.sekisho.gateway.approval.RefNumbers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
final class DecideCommand extends RemoteCommand {
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
            converter = ApprovalsCommand.CouncilDate.class,
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

    @Option(names = "--preview", description = "決定の効果を示すだけで、何も変えません / Show what the decision would do; change nothing.")
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
            GatewayClient.Response r =
                    client.get(ApprovalsCommand.path(ref) + "/preview?decision=" + decision.cliName());
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
                    ApprovalsCommand.path(ref) + "/confirmations",
                    JsonOut.write(Map.of("reason", reason == null ? "" : reason)));
        } else {
            if (reason == null || reason.isBlank()) {
                throw CliException.usage("理由が必要です / --reason is required with --decision (it is kept in the history)");
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
            r = client.post(ApprovalsCommand.path(ref) + "/decisions", JsonOut.write(body));
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
