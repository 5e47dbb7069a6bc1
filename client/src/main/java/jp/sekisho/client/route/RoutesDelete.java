package jp.sekisho.client.route;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.http.RemoteCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sekisho routes delete ID --reason TEXT}: the operator removes one route. */
@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = {
            "経路（一括または中継）を 1 つ削除します（運用者）。"
                    + "そのアドレスは全ノードでリスナーの許可リストからすぐに外れます。"
                    + " Deletes one route, batch or relay (operator): its addresses leave the listener's allowlist on"
                    + " every gateway node at once.",
            "削除は理由と経路の最後の定義とともに監査記録に残ります。経路の履歴は保たれ、ID は再利用できません。",
            "The deletion is audited with the reason and the route's last spec; the route's history is kept and its "
                    + "id is not reused. See docs/approvals-and-routes.md."
        })
final class RoutesDelete extends RemoteCommand {

    /** The gateway's bound, checked here too so a long reason fails before the request. */
    static final int MAX_REASON = 500;

    @Parameters(paramLabel = "ID", description = "経路 ID / The route id.")
    String id;

    @Option(
            names = "--reason",
            required = true,
            paramLabel = "TEXT",
            description = "削除の理由（必須、" + MAX_REASON + " 文字まで。経路の履歴に残ります） / Why (required, up to " + MAX_REASON
                    + " characters): kept with the route's history.")
    String reason;

    @Option(names = "--json", description = "回答の JSON を表示します / Print the JSON answer.")
    boolean json;

    @Override
    protected void run() {
        if (reason.isBlank()) {
            throw CliException.usage("--reason: 削除理由を書いてください / give the reason for the deletion");
        }
        if (reason.length() > MAX_REASON) {
            throw CliException.usage("--reason: " + MAX_REASON + " 文字以内にしてください / at most " + MAX_REASON
                    + " characters (got " + reason.length() + ")");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reason", reason);
        GatewayClient.Response r =
                client().delete("api/v1/routes/" + URLEncoder.encode(id, StandardCharsets.UTF_8), JsonOut.write(body));
        if (json) {
            out().println(r.body());
            return;
        }
        Map<String, Object> m = r.object();
        out().println("経路を削除しました / route deleted: " + Printable.value(m.get("id")) + " ("
                + Printable.value(m.get("kind")) + ")");
        out().println("日時 at:     " + Printable.value(m.get("deletedAt")));
        out().println("操作者 by:   " + Printable.value(m.get("deletedBy")));
        out().println("理由 reason: " + Printable.value(m.get("reason")));
    }
}
