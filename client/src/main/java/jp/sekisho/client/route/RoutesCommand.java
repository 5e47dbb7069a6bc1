package jp.sekisho.client.route;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.cli.TextTable;
import jp.sekisho.client.approval.ApprovalPrinter;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.gateway.relay.RelaySpec;
import jp.sekisho.gateway.route.Party;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteFile;
import jp.sekisho.gateway.route.RouteSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sekisho routes ...}: the operator's commands for routes. */
@Command(
        name = "routes",
        mixinStandardHelpOptions = true,
        description = {
            "経路を適用・一覧します（送信元から受信先への一方向の通り道で、リスナーと依存する承認に結び付きます）。"
                    + " Applies and lists routes: one-way channels from senders to receivers, bound to a listener and"
                    + " to the approval they depend on.",
            "",
            "経路の状態は承認から決まります: 承認が効力を持つ間だけ ACTIVE、そうでなければその理由（APPROVAL_PENDING、"
                    + "APPROVAL_SUSPENDED など）。ファイルの形式は docs/approvals-and-routes.md にあります。",
            "",
            "A route's state is derived: ACTIVE only while its approval is in force, otherwise the reason "
                    + "(APPROVAL_PENDING, APPROVAL_SUSPENDED, ...). See docs/approvals-and-routes.md for the file format."
        },
        subcommands = {
            RoutesCommand.Apply.class,
            RoutesCommand.ListCmd.class,
            RoutesCommand.Show.class,
            RoutesDelete.class
        })
public final class RoutesCommand {

    @Command(
            name = "apply",
            mixinStandardHelpOptions = true,
            description = {
                "経路ファイルを適用します（運用者）: 変わる点を示してから一度に適用します。"
                        + " Applies a routes file (operator): shows what changes, then applies it in one step.",
                "同じファイルをもう一度適用しても何も変わりません。未知の承認やリスナーを指す経路、削除した経路の ID"
                        + " の再利用は拒否します。ファイルにない保存済みの経路は残して '?' を付けて示し、--prune"
                        + " を付けると routes delete と同じく削除します（監査記録に残し、履歴は保ちます）。",
                "",
                "Idempotent: applying the same file again changes nothing. Refused when a route names an unknown "
                        + "approval or listener, or reuses the id of a deleted route.",
                "Stored routes the file leaves out are kept and listed with '?'; with --prune they are deleted "
                        + "(audited, history kept), as 'routes delete' would."
            })
    static final class Apply extends RemoteCommand {
        @Parameters(paramLabel = "FILE", description = "経路ファイル（YAML） / The routes file (YAML).")
        Path file;

        @Option(names = "--dry-run", description = "変わる点を示すだけにします / Only show what would change.")
        boolean dryRun;

        @Option(
                names = "--prune",
                description = "このファイルにない保存済みの経路（一括・中継）を削除します"
                        + " / Delete the stored routes (batch and relay) this file leaves out; with --dry-run, only"
                        + " show which.")
        boolean prune;

        @Option(names = "--json", description = "回答の JSON を表示します / Print the JSON answer.")
        boolean json;

        @Override
        protected void run() {
            RouteSet routes;
            try {
                routes = RouteFile.read(file);
            } catch (RouteFile.Invalid e) {
                throw CliException.usage(e.getMessage());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("routes", routes.routes().stream().map(Apply::json).toList());
            body.put("relays", routes.relays().stream().map(RelaySpec::toMap).toList());
            body.put("dryRun", dryRun);
            body.put("prune", prune);
            GatewayClient.Response r = client().put("api/v1/routes", JsonOut.write(body));
            if (json) {
                out().println(r.body());
                return;
            }
            Map<String, Object> res = r.object();
            for (Object c : (List<?>) res.get("changes")) {
                out().println(Printable.value(((Map<?, ?>) c).get("line")));
            }
            out().println(
                            Boolean.TRUE.equals(res.get("applied"))
                                    ? "applied"
                                    : dryRun ? "dry run: nothing applied" : "nothing to change");
        }

        private static Map<String, Object> json(Route r) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("listener", r.listener());
            m.put("approvalRef", r.approvalRef());
            m.put("senders", parties(r.senders()));
            m.put("receivers", parties(r.receivers()));
            m.put("recipients", r.recipientCertificates());
            m.put("maxPayloadBytes", r.maxPayloadBytes());
            m.put("retentionSeconds", r.retention().toSeconds());
            m.put("allowCbc", r.allowCbc());
            m.put("compression", r.compression()); // absent would read as allowed: a false must travel
            return m;
        }

        private static List<Map<String, Object>> parties(List<Party> parties) {
            return parties.stream()
                    .map(p -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("subject", p.subject());
                        m.put("sha256", p.sha256());
                        m.put("allow", p.allow());
                        return m;
                    })
                    .toList();
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "経路と今の状態を一覧します。 Lists routes and their state now.")
    static final class ListCmd extends RemoteCommand {
        @Option(names = "--json", description = "記録を JSON で表示します / Print the JSON records.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient.Response r = client().get("api/v1/routes");
            if (json) {
                out().println(r.body());
                return;
            }
            Map<String, Object> both = r.object();
            TextTable t = new TextTable(
                    "経路 Route", "種類 Kind", "リスナー Listener", "承認 Approval", "中継先 Upstream", "端末 Terminals", "状態 State");
            for (Object o : (List<?>) both.getOrDefault("routes", List.of())) {
                Map<?, ?> m = (Map<?, ?>) o;
                t.row(
                        m.get("id"),
                        "一括 batch",
                        m.get("listener"),
                        m.get("approvalRef"),
                        "",
                        "",
                        ApprovalPrinter.state(m.get("state")));
            }
            for (Object o : (List<?>) both.getOrDefault("relays", List.of())) {
                Map<?, ?> m = (Map<?, ?>) o;
                t.row(
                        m.get("id"),
                        "中継 relay",
                        m.get("listener"),
                        m.get("approvalRef"),
                        ((Map<?, ?>) m.get("upstream")).get("url"),
                        m.get("mode") + " " + terminals((List<?>) m.get("terminals")),
                        ApprovalPrinter.state(m.get("state")));
            }
            out().print(t.render());
        }

        /** A relay route's terminals in one cell: each one's certificate (mTLS) and addresses. */
        private static String terminals(List<?> terminals) {
            List<String> each = new java.util.ArrayList<>();
            for (Object o : terminals) {
                Map<?, ?> t = (Map<?, ?>) o;
                String who = t.get("subject") != null
                        ? t.get("subject") + " "
                        : t.get("sha256") != null ? "sha256:" + t.get("sha256") + " " : "";
                each.add(who
                        + String.join(
                                ",",
                                ((List<?>) t.get("allow"))
                                        .stream().map(String::valueOf).toList()));
            }
            return String.join("; ", each);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "経路を 1 つ表示します。 Shows one route.")
    static final class Show extends RemoteCommand {
        @Parameters(paramLabel = "ID", description = "経路 ID / The route id.")
        String id;

        @Option(names = "--json", description = "記録を JSON で表示します / Print the JSON record.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient.Response r = client().get("api/v1/routes/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            if (json) {
                out().println(r.body());
                return;
            }
            Map<String, Object> m = r.object();
            if (m.containsKey("upstream")) { // a relay route
                for (String k : List.of("id", "listener", "approvalRef", "state", "mode", "terminals", "limits")) {
                    out().printf("%-17s %s%n", k + ":", Printable.value(m.get(k)));
                }
                Map<?, ?> u = (Map<?, ?>) m.get("upstream");
                out().printf("%-17s %s%n", "upstream:", Printable.value(u.get("url")));
                out().printf("%-17s %s%n", "upstream host:", Printable.value(u.get("host")));
                out().printf("%-17s %s%n", "closed network:", Printable.value(u.get("closedNetwork")));
                out().printf("%-17s %s%n", "upstream CA:", u.get("caPem") == null ? "-" : "pinned (PEM)");
                return;
            }
            for (String k : List.of(
                    "id",
                    "listener",
                    "approvalRef",
                    "state",
                    "senders",
                    "receivers",
                    "maxPayloadBytes",
                    "retentionSeconds",
                    "allowCbc",
                    "compression")) {
                out().printf("%-17s %s%n", k + ":", Printable.value(m.get(k)));
            }
            out().printf("%-17s %d certificate(s)%n", "recipients:", ((List<?>) m.get("recipients")).size());
        }
    }
}
