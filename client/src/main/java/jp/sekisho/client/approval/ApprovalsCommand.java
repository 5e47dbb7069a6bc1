package jp.sekisho.client.approval;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sekisho approvals ...}: the secretariat's commands, over mutual TLS with the caller's own certificate. */
@Command(
        name = "approvals",
        mixinStandardHelpOptions = true,
        description = {
            "Records consultations and the council's decisions (secretariat); lists them (anyone with a role).",
            "",
            "A route carries data only while its approval is in force. Decisions that let data flow (approve, "
                    + "approve-with-conditions, reinstate) take effect when a second secretariat member confirms them "
                    + "with `decide --confirm`; suspend and revoke act at once."
        },
        subcommands = {
            ApprovalsCommand.ListCmd.class,
            ApprovalsCommand.Show.class,
            ApprovalsCommand.Create.class,
            ApprovalsCommand.Decide.class
        })
public final class ApprovalsCommand {

    static String path(String ref) {
        return "api/v1/approvals/"
                + URLEncoder.encode(ref, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists approvals with their status and state now.")
    static final class ListCmd extends RemoteCommand {
        @Option(names = "--json", description = "Print the JSON records.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            GatewayClient.Response r = client.get("api/v1/approvals");
            if (json) {
                out().println(r.body());
                return;
            }
            out().printf("%-16s %-26s %-24s %s%n", "REF", "STATUS", "STATE", "TITLE");
            for (Object o : r.array()) {
                Map<?, ?> a = (Map<?, ?>) o;
                out().printf(
                                "%-16s %-26s %-24s %s%n",
                                Printable.value(a.get("ref")),
                                Printable.value(a.get("status")
                                        + (a.get("pending") != null
                                                ? " (+" + ((Map<?, ?>) a.get("pending")).get("decision") + "?)"
                                                : "")),
                                Printable.value(a.get("state")),
                                Printable.value(a.get("title")));
            }
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Shows one approval and its decision history.")
    static final class Show extends RemoteCommand {
        @Option(names = "--ref", required = true, paramLabel = "REF", description = "Reference number, e.g. 2総政第158号.")
        String ref;

        @Option(names = "--json", description = "Print the JSON record.")
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
            Map<String, Object> a = r.object();
            for (String k : List.of(
                    "ref",
                    "title",
                    "legalBasis",
                    "departments",
                    "contractor",
                    "subcontractors",
                    "dataItems",
                    "maxRecords",
                    "validFrom",
                    "validUntil",
                    "conditions",
                    "meetingRef",
                    "status",
                    "state",
                    "pending")) {
                if (a.get(k) != null) {
                    out().printf("%-15s %s%n", k + ":", Printable.value(a.get(k)));
                }
            }
            out().println("history:");
            for (Object o : h.array()) {
                Map<?, ?> e = (Map<?, ?>) o;
                out().printf(
                                "  %s  %-24s %s -> %s  by %s%s  \"%s\"%n",
                                Printable.value(e.get("at")),
                                Printable.value(e.get("decision")),
                                Printable.value(e.get("before")),
                                Printable.value(e.get("after")),
                                Printable.value(e.get("by")),
                                e.get("confirmedBy") == null
                                        ? ""
                                        : ", confirmed by " + Printable.value(e.get("confirmedBy")),
                                Printable.value(e.get("reason")));
            }
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Records a consultation (諮問) as PENDING. Data items are codes such as name, birth_date, address, "
                            + "bank_name, account_number (see docs/approvals.md).")
    static final class Create extends RemoteCommand {
        @Option(
                names = "--ref",
                required = true,
                paramLabel = "REF",
                description = "Reference number, unique (e.g. 2総政第158号).")
        String ref;

        @Option(names = "--title", required = true, paramLabel = "TEXT", description = "Title of the consultation.")
        String title;

        @Option(
                names = "--legal-basis",
                required = true,
                paramLabel = "TEXT",
                description = "Article, e.g. 条例第10条第1項第2号.")
        String legalBasis;

        @Option(names = "--department", paramLabel = "NAME", description = "Requesting department (repeatable).")
        List<String> departments = new ArrayList<>();

        @Option(names = "--contractor", required = true, paramLabel = "NAME", description = "The contractor (受託事業者).")
        String contractor;

        @Option(names = "--subcontractor", paramLabel = "NAME", description = "An approved subcontractor (repeatable).")
        List<String> subcontractors = new ArrayList<>();

        @Option(
                names = "--items",
                required = true,
                split = ",",
                paramLabel = "CODE",
                description = "Approved data item codes, comma-separated.")
        List<String> items;

        @Option(
                names = "--max-records",
                required = true,
                paramLabel = "N",
                description = "Most records a transfer may carry.")
        long maxRecords;

        @Option(
                names = "--valid-from",
                required = true,
                paramLabel = "YYYY-MM-DD",
                description = "First day in force (Asia/Tokyo).")
        LocalDate validFrom;

        @Option(
                names = "--valid-until",
                required = true,
                paramLabel = "YYYY-MM-DD",
                description = "Last day in force (Asia/Tokyo).")
        LocalDate validUntil;

        @Option(names = "--conditions", paramLabel = "TEXT", description = "The council's conditions, as minuted.")
        String conditions = "";

        @Option(names = "--delete-after-delivery", description = "Condition: no copy may remain after delivery.")
        boolean deleteAfterDelivery;

        @Option(
                names = "--deletion-report-due",
                paramLabel = "YYYY-MM-DD",
                description = "Condition: deletion report (廃棄報告) due by.")
        LocalDate deletionReportDue;

        @Option(names = "--meeting", paramLabel = "REF", description = "Meeting reference (e.g. 令和2年度第3回).")
        String meeting;

        @Option(names = "--json", description = "Print the JSON answer.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            Map<String, Object> cond = new LinkedHashMap<>();
            cond.put("text", conditions);
            cond.put("deleteAfterDelivery", deleteAfterDelivery);
            cond.put("deletionReportDue", deletionReportDue == null ? null : deletionReportDue.toString());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("ref", ref);
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
            out().println(json ? r.body() : "recorded " + ref + " as PENDING");
        }
    }

    @Command(
            name = "decide",
            mixinStandardHelpOptions = true,
            description = {
                "Records a decision of the council, or confirms a colleague's.",
                "",
                "approve, approve-with-conditions and reinstate wait for a second secretariat member's --confirm; "
                        + "reject, suspend and revoke take effect at once. REVOKED is final."
            })
    static final class Decide extends RemoteCommand {
        @Option(names = "--ref", required = true, paramLabel = "REF", description = "Reference number.")
        String ref;

        static final class What {
            @Option(
                    names = "--decision",
                    paramLabel = "DECISION",
                    required = true,
                    description = "approve, approve-with-conditions, reject, suspend, reinstate or revoke.")
            String decision;

            @Option(names = "--confirm", required = true, description = "Confirm the decision a colleague made.")
            boolean confirm;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        What what;

        @Option(
                names = "--reason",
                paramLabel = "TEXT",
                description = "Why (required for a decision; kept in the history).")
        String reason;

        @Option(names = "--json", description = "Print the JSON answer.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient client = client();
            GatewayClient.Response r;
            if (what.confirm) {
                r = client.post(
                        path(ref) + "/confirmations", JsonOut.write(Map.of("reason", reason == null ? "" : reason)));
            } else {
                if (reason == null || reason.isBlank()) {
                    throw CliException.usage("--reason is required with --decision (it is kept in the history)");
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("decision", what.decision);
                body.put("reason", reason);
                r = client.post(path(ref) + "/decisions", JsonOut.write(body));
            }
            if (json) {
                out().println(r.body());
                return;
            }
            Map<String, Object> res = r.object();
            Map<?, ?> a = (Map<?, ?>) res.get("approval");
            out().println(Printable.of(ref + ": " + res.get("message") + " (status " + a.get("status") + ", state "
                    + a.get("state") + ")"));
        }
    }
}
