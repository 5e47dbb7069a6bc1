package jp.sekisho.client.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * The printed steps of the hand-off against a running demo gateway: the approval with two persons,
 * the route, send, receive, the byte-for-byte check, the purge, the audit trail and the refusals.
 */
final class HandOffScenario {

    private final DemoConsole c;
    private final DemoLayout d;
    private final String admin;
    private final String transfer;
    private final int transferPort;
    private final int records;

    HandOffScenario(DemoConsole console, DemoLayout d, int transferPort, int adminPort, int records) {
        this.c = console;
        this.d = d;
        this.admin = "https://127.0.0.1:" + adminPort;
        this.transfer = "https://127.0.0.1:" + transferPort;
        this.transferPort = transferPort;
        this.records = records;
    }

    /** Runs every step; a step whose command exits otherwise than expected ends the demo. */
    void run() throws IOException {
        approve(LocalDate.now(ZoneId.of("Asia/Tokyo")));
        applyRoute();
        Path csv = d.outbox().resolve("kyufukin-furikomi.csv");
        sendAndReceive(csv);
        showNothingLeftAndAudit();
        showRefusals(csv);
    }

    private void approve(LocalDate today) {
        c.step(
                "事務局が諮問 " + DemoLayout.REF + " を記録 / The secretariat records consultation " + DemoLayout.REF,
                "特別定額給付金: 個人情報項目 14、最大 305,115 件 / 14 data items, up to 305,115 records");
        c.cli(
                0,
                "approvals",
                "create",
                "--ref",
                DemoLayout.REF,
                "--title",
                "特別定額給付金給付事業（口座振込）",
                "--legal-basis",
                "条例第10条第1項第2号",
                "--department",
                "総務部",
                "--department",
                "市民文化部",
                "--contractor",
                DemoFiles.CONTRACTOR,
                "--items",
                "name,birth_date,sex,address,postal_code,phone,household_head,"
                        + "resident_code,household_code,bank_name,bank_branch,account_type,account_number,account_holder",
                "--max-records",
                "305115",
                "--valid-from",
                today.minusDays(1).toString(),
                "--valid-until",
                today.plusYears(1).toString(),
                "--conditions",
                "業務終了後、データを消去し廃棄報告を提出すること",
                "--delete-after-delivery",
                "--deletion-report-due",
                today.plusYears(1).plusMonths(1).toString(),
                "--meeting",
                "令和2年度第2回",
                "--gateway",
                admin,
                "--identity",
                id("secretariat"));

        c.step(
                "審議会の答申により承認: 事務局の 1 人が決定し、もう 1 人が確認"
                        + " / The council approves: one secretariat member decides, a second confirms",
                "開くには 2 人、閉じるには 1 人 / two people to open, one to close");
        decide(0, "secretariat", "--decision", "approve-with-conditions", "--reason", "第2回審議会答申（条件付き承認）");
        decide(1, "secretariat", "--confirm");
        decide(0, "secretariat2", "--confirm", "--reason", "答申書と照合済み");
    }

    private void applyRoute() {
        c.step(
                "運用者が経路を適用 / The operator applies the route",
                "kurume-benefit: city-sender -> contractor、127.0.0.1 からのみ、転送用リスナーで"
                        + " / 127.0.0.1 only, on the transfer listener");
        c.cli(0, "routes", "apply", d.routes().toString(), "--gateway", admin, "--identity", id("operator"));
        c.cli(0, "routes", "list", "--gateway", admin, "--identity", id("operator"));
    }

    private void sendAndReceive(Path csv) throws IOException {
        c.step(
                "市が給付金案内のダミーファイルを作成 / The city generates the dummy benefit-mailing file",
                "架空の住民 " + records + " 人、氏名はすべて DUMMY で始まります / synthetic residents; every name starts with DUMMY");
        c.cli(0, "dummy", "residents", "--count", Integer.toString(records), "--out", csv.toString());

        c.step(
                "市が送信 / The city sends it",
                "市の鍵で署名し、受託事業者の証明書だけにあてて暗号化（AES-256-GCM）し、tus でアップロードします。"
                        + "ゲートウェイは復号せずに封筒を検査し、受領証に署名します\n"
                        + "signed with the city's key, encrypted (AES-256-GCM) for the contractor's certificate only, "
                        + "uploaded with tus; the gateway checks the envelope without decrypting it and signs a receipt");
        send(0, csv, "--gateway-key", signingKey().toString());

        c.step(
                "受託事業者が受信 / The contractor receives it",
                "取得して自分の鍵で復号し、市の署名を検証してから確認応答します"
                        + " / downloads, decrypts with its own key, verifies the city's signature, then acknowledges");
        c.cli(
                0,
                "receive",
                "--gateway",
                transfer,
                "--route",
                DemoLayout.ROUTE,
                "--out",
                d.inbox().toString(),
                "--identity",
                id("contractor"),
                "--key",
                d.cert("contractor-enc", "key").toString(),
                "--cert",
                d.cert("contractor-enc", "pem").toString(),
                "--trust",
                d.cert("ca", "pem").toString(),
                "--once");

        c.step(
                "1 バイトも違わない / Byte for byte",
                "受託事業者の手元のファイルは市が送ったファイルそのもの / the file the contractor holds is the file the city sent");
        Path received = d.inbox().resolve(csv.getFileName().toString());
        String sent = DemoProbes.sha256(csv);
        String got = Files.exists(received) ? DemoProbes.sha256(received) : "(見つかりません / missing)";
        c.say("送信 sent     " + sent + "  " + csv);
        c.say("受信 received " + got + "  " + received);
        if (!sent.equals(got)) {
            throw new CliException(
                    ExitCode.REFUSED, "受信したファイルが送ったファイルと違います / the received file differs from the sent one");
        }
        c.say("同一です / identical");
    }

    private void showNothingLeftAndAudit() throws IOException {
        c.step(
                "何も残らない / Nothing left behind",
                "確認応答の後、ゲートウェイは自分の複製を削除しました / after the acknowledgment the gateway deleted its"
                        + " copy (TRANSFER_PURGED)");
        // the gateway's own dot-files (the spool's marker .sekisho-spool) are not payloads
        List<Path> left = DemoProbes.files(d.spool()).stream()
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .toList();
        c.say(
                left.isEmpty()
                        ? "ゲートウェイのスプールは空です / the gateway's spool " + d.spool() + " is empty"
                        : "スプールに残っています / still in the spool: " + left);

        c.step(
                "今回の監査記録 / The audit trail of this run",
                "接続、決定、転送の各段階のすべて、許可も拒否も / every connection, decision and transfer step, allowed or denied");
        c.cli(
                0,
                "audit",
                "search",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--type",
                "APPROVAL_CHANGED,ROUTE_CHANGED,TRANSFER_STARTED,TRANSFER_STORED,TRANSFER_DELIVERED,TRANSFER_ACKNOWLEDGED,"
                        + "TRANSFER_PURGED,REQUEST_DENIED");
        c.cli(
                0,
                "audit",
                "verify",
                "--gateway",
                admin,
                "--identity",
                id("auditor"),
                "--key",
                signingKey().toString());
    }

    private void showRefusals(Path csv) {
        c.step(
                "経路にない端末は TLS の前に拒否 / A terminal the route does not list is refused before TLS",
                "127.0.0.2 のアドレスから転送用リスナーに接続します / a client bound to 127.0.0.2 connects to the transfer listener");
        c.say(DemoProbes.connectFrom("127.0.0.2", transferPort));

        c.step(
                "事務局が承認を停止し、同じ送信は拒否される / The secretariat suspends the approval; the same send is refused",
                "止めるのは 1 人で足り、すぐに効きます / stopping needs one person and acts at once");
        decide(0, "secretariat", "--decision", "suspend", "--reason", "委託先の安全管理措置を確認中");
        send(1, csv);
        c.say("拒否: 承認の停止中、経路は何も通しません（試せるよう SUSPENDED のままにします）\n"
                + "refused: the route carries nothing while its approval is suspended (left SUSPENDED for you to try)");
    }

    /** {@code approvals decide --ref REF ARGS} as {@code who}, expecting exit code {@code expected}. */
    private void decide(int expected, String who, String... args) {
        List<String> command = new ArrayList<>(List.of("approvals", "decide", "--ref", DemoLayout.REF));
        command.addAll(List.of(args));
        command.addAll(List.of("--gateway", admin, "--identity", id(who)));
        c.cli(expected, command.toArray(String[]::new));
    }

    /** {@code send} of {@code csv} on the route as the city's sending system, then {@code args}. */
    private void send(int expected, Path csv, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "send",
                "--gateway",
                transfer,
                "--route",
                DemoLayout.ROUTE,
                "--file",
                csv.toString(),
                "--identity",
                id("city-sender")));
        command.addAll(List.of(args));
        c.cli(expected, command.toArray(String[]::new));
    }

    /** The gateway's audit signing public key: it verifies receipts and the audit log's checkpoints. */
    private Path signingKey() {
        return d.data().resolve("audit-signing.pub.pem");
    }

    private String id(String name) {
        return d.cert(name, "p12").toString();
    }
}
