package jp.sekisho.client.demo;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.gateway.AuditStores;
import jp.sekisho.gateway.Gateway;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.GatewayConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sekisho demo}: the whole hand-off on a fresh machine, on the embedded store. Every step
 * runs the same commands a person would type, in-process, and prints what they print.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "新しいフォルダで受け渡しの全体を実演します（組み込みストアを使うのでデータベースサーバーは不要）。"
                    + " Runs the whole hand-off in a fresh folder, on the embedded store (no database server needed).",
            "",
            "PKI を作り、ゲートウェイを起動し、諮問 2総政第158号 を記録して承認し（事務局の 2 人）、"
                    + "運用者として経路を適用し、給付金案内のダミーファイルを作って送り、"
                    + "受託事業者の側で受信・検証し、受領証、削除と監査記録を示します。最後に承認を停止し、"
                    + "同じ送信が拒否されることを示します。承認は SUSPENDED のまま残るので、再開を試せます。",
            "続いて久留米市の給与の例（docs/relay.md）: 諮問 1人第1042号 と中継経路 kurume-payroll-web で、"
                    + "ゲートウェイのクライアント証明書を求める給与 Web サーバー（nginx があれば nginx、なければ小さな"
                    + " JDK のサーバー）へ中継します。127.0.0.1 の端末は中継を通してページを得て、127.0.0.2 の端末は"
                    + " TLS の前に切断され、要求はそれぞれ監査記録に残ります。",
            "",
            "Mints a PKI, starts a gateway, records and approves consultation 2総政第158号 (two secretariat members),"
                    + " applies the route as the operator, generates the dummy benefit-mailing file, sends it,"
                    + " receives and verifies it on the contractor's side, shows the receipt, the purge and the audit"
                    + " trail, then suspends the approval and shows the same send refused. The approval is left"
                    + " SUSPENDED so you can try reinstating it.",
            "",
            "Then the Kurume payroll case (docs/relay.md): consultation 1人第1042号 and the relay route"
                    + " kurume-payroll-web to a payroll web server that requires the gateway's client certificate"
                    + " (nginx when installed, else a small JDK server): a terminal on 127.0.0.1 gets the page through"
                    + " the relay, one on 127.0.0.2 is closed before TLS, and each request is in the audit trail."
        })
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = "sekisho-demo",
            description = "デモ用のフォルダ（以前のデモは置き換えます） / Folder for the demo (certs/, gateway.yml,"
                    + " routes.yml, data/, outbox/, inbox/). A previous demo there is replaced. Default:"
                    + " ./${DEFAULT-VALUE}.")
    Path dir;

    @Option(
            names = "--transfer-port",
            paramLabel = "PORT",
            defaultValue = "8443",
            description = "転送用リスナーのポート / The transfer listener's port. Default: ${DEFAULT-VALUE}.")
    int transferPort;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            defaultValue = "9443",
            description = "管理用リスナーのポート / The admin listener's port. Default: ${DEFAULT-VALUE}.")
    int adminPort;

    @Option(
            names = "--relay-port",
            paramLabel = "PORT",
            defaultValue = "8460",
            description = "給与の中継用リスナーのポート（端末の HTTPS） / The payroll relay listener (terminals'"
                    + " HTTPS). Default: ${DEFAULT-VALUE}.")
    int relayPort;

    @Option(
            names = "--upstream-port",
            paramLabel = "PORT",
            defaultValue = "8461",
            description = "中継先となるデモ用の給与 Web サーバーのポート / The demo's payroll web server behind the"
                    + " relay. Default: ${DEFAULT-VALUE}.")
    int upstreamPort;

    @Option(
            names = "--relay-upstream",
            paramLabel = "KIND",
            defaultValue = "auto",
            description = "給与 Web サーバーの種類 / The payroll web server: nginx (Debian's), jdk (the JDK's"
                    + " HttpsServer) or auto (nginx when installed). Default: ${DEFAULT-VALUE}.")
    String relayUpstream;

    @Option(
            names = "--records",
            paramLabel = "N",
            defaultValue = "305115",
            description = "送るダミー住民の件数 / Dummy residents to send. Default: ${DEFAULT-VALUE} (the benefit mailing).")
    int records;

    @Option(
            names = "--keep-running",
            description = "最後にゲートウェイを動かしたままにします（Ctrl-C か SIGTERM まで）"
                    + " / Leave the gateway running at the end (until Ctrl-C or SIGTERM).")
    boolean keepRunning;

    private PrintWriter out;
    private DemoLayout d;

    @Override
    public Integer call() throws Exception {
        // Logging is set up here, on this thread, before the threads that log at once start (SLF4J would
        // otherwise warn that it replayed their early calls); commands that do little never set it up.
        org.slf4j.LoggerFactory.getILoggerFactory();
        out = spec.commandLine().getOut();
        PayrollUpstream.Kind upstreamKind;
        try {
            upstreamKind = PayrollUpstream.Kind.parse(relayUpstream);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--relay-upstream には nginx、jdk、auto のどれかを指定してください"
                    + " / --relay-upstream: nginx, jdk or auto, got '" + relayUpstream + "'");
        }
        d = new DemoLayout(dir.toAbsolutePath().normalize());
        long t0 = System.nanoTime();
        DemoSetup setup = new DemoSetup(d);
        setup.prepareFolder(out);
        DemoConsole console = new DemoConsole(out, d);

        console.step(
                "この受け渡しのための私設 PKI / A private PKI for this hand-off",
                "certs init + certs issue: CA、ゲートウェイ、市の送信システム、受託事業者の受信システムとその暗号化用証明書、"
                        + "事務局の 2 人、監査担当、運用者\n"
                        + "CA, gateway, the city's sending system, the contractor's receiving system and its encryption"
                        + " certificate, two secretariat members, an auditor, an operator");
        setup.mintPki(console);

        console.step("ゲートウェイの設定と経路 / The gateway's configuration and routes", d.config() + "\n" + d.routes());
        Files.writeString(d.config(), DemoFiles.gatewayYml(transferPort, adminPort, relayPort), StandardCharsets.UTF_8);
        Files.writeString(d.routes(), DemoFiles.routesYml(), StandardCharsets.UTF_8);

        console.step(
                "ゲートウェイの起動 / Starting the gateway",
                "組み込み PostgreSQL（監査ログ、承認、経路） / embedded PostgreSQL in "
                        + d.data().resolve("pg") + " (audit log, approvals, routes)");
        GatewayConfig cfg = GatewayConfigLoader.load(d.config());
        AtomicReference<AuditStore> store = new AtomicReference<>();
        Gateway gateway = startGateway(cfg, store);
        AtomicReference<PayrollUpstream> upstream = new AtomicReference<>();
        try {
            console.say("listening: " + gateway.describeListeners());
            new HandOffScenario(console, d, transferPort, adminPort, records).run();
            upstream.set(PayrollUpstream.start(upstreamKind, d, upstreamPort));
            new PayrollScenario(console, d, adminPort, relayPort, upstream.get()).run();
            DeletionReportStep.run(console, d, transferPort);
            ReportStep.run(console, d, adminPort);
        } finally {
            if (!keepRunning) {
                if (upstream.get() != null) {
                    upstream.get().close();
                }
                gateway.close();
                store.get().close();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf("%n%.1f 秒で完了しました / Done in %.1f s.%n", seconds, seconds);
        nextSteps();
        if (keepRunning) {
            out.println("ゲートウェイは動き続けます。Ctrl-C で止めてください / The gateway keeps running; stop it with Ctrl-C.");
            out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                upstream.get().close();
                                gateway.close();
                                store.get().close();
                                stopped.countDown();
                            },
                            "sekisho-demo-stop"));
            stopped.await();
        }
        return ExitCode.OK;
    }

    /** Starts the gateway on the embedded store, which is left in {@code store} for closing. */
    private static Gateway startGateway(GatewayConfig cfg, AtomicReference<AuditStore> store) {
        try {
            return Gateway.start(cfg, () -> {
                AuditStore s = AuditStores.open(cfg);
                store.set(s);
                return s;
            });
        } catch (RuntimeException e) {
            if (store.get() != null) {
                store.get().close();
            }
            throw new CliException(
                    ExitCode.UNAVAILABLE,
                    "ゲートウェイを起動できません / the gateway could not start: " + e.getMessage()
                            + (e.getMessage() != null && e.getMessage().contains("Address already in use")
                                    ? " （このポートで別のゲートウェイが動いていませんか。--transfer-port/--admin-port で変えられます"
                                            + " / another gateway on these ports? use --transfer-port/--admin-port）"
                                    : ""));
        }
    }

    private void nextSteps() {
        String admin = "https://127.0.0.1:" + adminPort;
        String rel = d.dir().toString();
        out.println();
        out.println("管理コンソール / Web console: " + admin + "/console/   (docs/console.md)");
        out.println("  ブラウザに " + rel + "/certs/secretariat.p12 を取り込み（パスワードなし）、" + rel
                + "/certs/ca.pem を信頼してください。auditor.p12 と operator.p12 では監査担当と運用者の画面になります"
                + " / import the .p12 (empty password) into the browser and trust ca.pem;"
                + " auditor.p12 and operator.p12 show the other roles' pages");
        out.println("管理 API（相互 TLS） / Admin API (mutual TLS): " + admin + "/api/v1/approvals   (docs/openapi.yml)");
        out.println("運用状況報告 / Council report: " + rel + "/report.html, " + rel + "/report.pdf   (docs/reports.md)");
        out.println("中継経路 / Relay route " + DemoLayout.PAYROLL_ROUTE + ": " + PayrollScenario.relayUrl(relayPort)
                + "   (docs/relay.md)");
        out.println("  127.0.0.1 からのみ。" + rel + "/certs/ca.pem を信頼し、クライアント証明書は要りません"
                + " / from 127.0.0.1 only; trust ca.pem, no client certificate");
        out.println("次に試すこと / Try next:");
        out.println(
                "  ./sekisho gateway --config " + rel + "/gateway.yml        # the same gateway again, with its state");
        out.println("  ./sekisho approvals decide --ref " + DemoLayout.REF + " --decision reinstate --reason 確認完了 \\");
        out.println("      --gateway " + admin + " --identity " + rel + "/certs/secretariat.p12");
        out.println("  ./sekisho approvals decide --ref " + DemoLayout.REF + " --confirm \\");
        out.println("      --gateway " + admin + " --identity " + rel + "/certs/secretariat2.p12");
        out.println("  ./sekisho audit export --gateway " + admin + " --identity " + rel
                + "/certs/auditor.p12 --out audit.jsonl");
        out.println("  ./sekisho approvals show --ref " + DemoLayout.REF + " --gateway " + admin + " --identity " + rel
                + "/certs/auditor.p12");
        out.flush();
    }
}
