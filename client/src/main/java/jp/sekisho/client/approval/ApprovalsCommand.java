package jp.sekisho.client.approval;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.gateway.approval.RefNumbers;
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
            DecideCommand.class
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
}
