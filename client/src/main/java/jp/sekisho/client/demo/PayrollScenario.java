package jp.sekisho.client.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kurume payroll case (docs/relay.md): the consultation's network appendix (別紙1) says the
 * payroll web server is reached only from the payroll client terminals, by address, over HTTPS. The
 * demo records that consultation, adds the relay route, and shows a terminal on 127.0.0.1 getting the
 * page through the gateway, one on 127.0.0.2 closed before TLS, and each request in the audit trail.
 */
final class PayrollScenario {

    private final DemoConsole c;
    private final DemoLayout d;
    private final String admin;
    private final int relayPort;
    private final PayrollUpstream upstream;

    PayrollScenario(DemoConsole console, DemoLayout d, int adminPort, int relayPort, PayrollUpstream upstream) {
        this.c = console;
        this.d = d;
        this.admin = "https://127.0.0.1:" + adminPort;
        this.relayPort = relayPort;
        this.upstream = upstream;
    }

    /** The relay's address for terminals: the page the payroll terminals open. */
    static String relayUrl(int relayPort) {
        return "https://127.0.0.1:" + relayPort + PayrollSite.PAGE_PATH;
    }

    void run() throws IOException {
        showUpstream();
        approve(LocalDate.now(ZoneId.of("Asia/Tokyo")));
        addRelayRoute();
        terminals();
        audit();
    }

    private void showUpstream() {
        c.step(
                "受託事業者のデータセンターにある久留米市の給与 Web サーバー（別紙1）"
                        + " / The Kurume payroll web server in the contractor's datacenter",
                "人事給与WEBサーバへのアクセスは、人事給与クライアント端末（IPアドレスでの制御）からのHTTPSアクセスのみ許可"
                        + "\npayroll web server: HTTPS only from the payroll client terminals, controlled by address");
        c.say(upstream.describe());
        c.say("ゲートウェイの証明書なしで直接つなぐと / without the gateway's certificate, straight to it: "
                + DemoTerminal.trusting(d.upstreamCerts().resolve("ca.pem"))
                        .request("GET", upstream.url() + PayrollSite.PAGE_PATH, null));
    }

    private void approve(LocalDate today) {
        c.step(
                "事務局が諮問 " + DemoLayout.PAYROLL_REF + " を記録し、2 人で承認 / The secretariat records consultation "
                        + DemoLayout.PAYROLL_REF + "; two members approve it",
                "人事給与出退勤システムのクラウド化 (総務部人事厚生課): 職員のデータを回線でデータセンターへ / staff data over the line to the datacenter");
        c.cli(
                0,
                "approvals",
                "create",
                "--ref",
                DemoLayout.PAYROLL_REF,
                "--title",
                "人事給与出退勤システムのクラウド化",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部人事厚生課",
                "--contractor",
                DemoFiles.CONTRACTOR,
                "--items",
                "name,birth_date,sex,address,personnel,salary",
                "--max-records",
                "5000",
                "--valid-from",
                today.minusDays(1).toString(),
                "--valid-until",
                today.plusYears(5).toString(),
                "--conditions",
                "人事給与WEBサーバへは人事給与クライアント端末からHTTPSでのみ接続すること（別紙1）",
                "--meeting",
                "令和2年度第1回",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));
        decide("secretariat", "--decision", "approve-with-conditions", "--reason", "第1回審議会答申（別紙1の条件付き）");
        decide("secretariat2", "--confirm", "--reason", "答申書と照合済み");
    }

    private void addRelayRoute() throws IOException {
        c.step(
                "運用者が中継経路 " + DemoLayout.PAYROLL_ROUTE + " を経路ファイルに追加 / The operator adds the relay route "
                        + DemoLayout.PAYROLL_ROUTE + " to the routes file",
                "terminal-mode tls: 127.0.0.1 から payroll-web 中継用リスナー（ポート " + relayPort + "）へ。中継先 "
                        + upstream.url() + " へはゲートウェイのクライアント証明書で接続し、その CA を固定します\n"
                        + "terminal-mode tls from 127.0.0.1 on the payroll-web relay listener (port " + relayPort
                        + "), upstream " + upstream.url() + " with the gateway's client certificate, its CA pinned");
        Files.writeString(d.routes(), DemoFiles.routesYml(upstream.url()), StandardCharsets.UTF_8);
        c.cli(0, "routes", "apply", d.routes().toString(), "--gateway", admin, "--identity", id("operator"));
        c.cli(0, "routes", "list", "--gateway", admin, "--identity", id("operator"));
    }

    private void terminals() {
        c.step(
                "127.0.0.1 の給与端末が中継を通して給与のページを開く"
                        + " / A payroll terminal on 127.0.0.1 opens the payroll page through the relay",
                "自分の証明書を持たず市の CA を信頼する HTTPS クライアント。ゲートウェイはアドレス、経路、承認を確かめてから、"
                        + "自分の証明書で中継します\n"
                        + "an HTTPS client with no certificate of its own, trusting the city's CA; the gateway checks the "
                        + "address, the route and the approval, then forwards with its own certificate");
        DemoTerminal terminal = DemoTerminal.trusting(d.cert("ca", "pem"));
        String base = "https://127.0.0.1:" + relayPort;
        c.say("GET  " + PayrollSite.PAGE_PATH + "?staff=DUMMY-0001&month=2026-11  -> "
                + terminal.request("GET", base + PayrollSite.PAGE_PATH + "?staff=DUMMY-0001&month=2026-11", null));
        byte[] upload = "職員番号,日付,出勤,退勤\nDUMMY-0001,2026-11-30,08:30,17:15\n".getBytes(StandardCharsets.UTF_8);
        c.say("POST " + PayrollSite.UPLOAD_PATH + " (" + upload.length + " バイト / bytes)  -> "
                + terminal.request("POST", base + PayrollSite.UPLOAD_PATH, upload));
        c.say("GET  /server-status (経路のパスの外 / outside the route's paths)  -> "
                + terminal.request("GET", base + "/server-status", null));

        c.step(
                "中継経路にない端末は TLS の前に切断 / A terminal the relay route does not list is closed before TLS",
                "127.0.0.2 のアドレスから中継用リスナーに接続します / a client bound to 127.0.0.2 connects to the relay listener");
        c.say(DemoProbes.connectFrom("127.0.0.2", relayPort));
    }

    private void audit() {
        c.step(
                "中継を通った要求はそれぞれ監査記録に / Each request through the relay in the audit trail",
                "要求ごとに RELAY_REQUEST を 1 件: 端末、経路、承認、メソッド、パス、クエリのパラメータ名（値は残さない）、"
                        + "ステータス、バイト数、所要時間、中継先\n"
                        + "one RELAY_REQUEST per request: terminal, route, approval, method, path, the query's parameter names "
                        + "(never their values), status, bytes, duration, upstream");
        c.cli(
                0,
                "audit",
                "search",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--route",
                DemoLayout.PAYROLL_ROUTE,
                "--type",
                "RELAY_REQUEST");
        c.cli(
                0,
                "audit",
                "search",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--route",
                DemoLayout.PAYROLL_ROUTE,
                "--type",
                "RELAY_REQUEST",
                "--order",
                "chain",
                "--limit",
                "3",
                "--json");
    }

    private void decide(String who, String... args) {
        List<String> command = new ArrayList<>(List.of("approvals", "decide", "--ref", DemoLayout.PAYROLL_REF));
        command.addAll(List.of(args));
        command.addAll(List.of("--gateway", admin, "--identity", id(who)));
        c.cli(0, command.toArray(String[]::new));
    }

    private String id(String name) {
        return d.cert(name, "p12").toString();
    }
}
