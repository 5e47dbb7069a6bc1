package jp.sekisho.client.transfer;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.PasswordSource;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.FullJit;
import jp.sekisho.client.Timings;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.GatewayOptions;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.envelope.TrustAnchors;
import jp.sekisho.envelope.cli.RecipientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho receive}: pull a route's deliveries, decrypt and verify them, and acknowledge each one. */
@Command(
        name = "receive",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "経路で待っている転送を受信します（封筒を取得して復号・署名検証し、DIR に書いてから確認応答します。"
                    + "その後ゲートウェイは保管分を削除します）。 Receives the transfers waiting on a route: downloads"
                    + " each envelope (resumable) into DIR/.sekisho-partial/ and, while it arrives, decrypts it with"
                    + " your key and verifies the sender's signature against --trust; once its SHA-256 matches the"
                    + " gateway's and tag and signature verified, writes the file into DIR under the sender's file"
                    + " name (never overwriting: a suffix is added), and only then acknowledges it, after which the"
                    + " gateway deletes its copy.",
            "",
            "封筒は DIR/.sekisho-partial/ へ取得しながら（再開できます）あなたの鍵で復号し、送信元の署名を --trust"
                    + " で確かめます。SHA-256 がゲートウェイの値と一致し、タグと署名を検証できたら、"
                    + "送信元のファイル名で DIR に書き（上書きはせず、接尾辞を付けます）、それから確認応答します。",
            "開けない転送（改ざん、この鍵あてでない、信頼できない署名者）は確認応答せずゲートウェイに残します。"
                    + "理由は標準エラーに出し、封筒は DIR/.sekisho-partial/ に残し、"
                    + "ほかの転送は受信を続けます（この実行では再試行しません）。--once ではそのとき終了コード 1"
                    + " です。",
            "--once がなければ中断（Ctrl-C）まで動き、受信箱で待ちます（ゲートウェイは一覧を最大 25 秒保留し、転送が保管されるとすぐに答えます）。新しい転送はすぐに受信します。",
            "クラッシュしても受信は一度だけ: DIR/.sekisho-partial/journal/ の記録により、"
                    + "置いたが確認応答していないファイルは、次の実行で取得も書き込みもせずに確認応答だけします。"
                    + "復号した一時ファイル（.opened）はあなただけが読め、エラー時、SIGTERM/Ctrl-C 時、kill"
                    + " 後の次の実行の開始時に消します。1 つの DIR で同時に動く receive は 1"
                    + " つだけです（DIR/.sekisho-partial/.lock）。",
            "",
            "A transfer that cannot be opened (altered, not for this key, untrusted signer) is not acknowledged and "
                    + "stays on the gateway: its reason goes to stderr, its envelope stays in DIR/.sekisho-partial/, and the "
                    + "other transfers are received all the same; it is not tried again in this run. With --once the exit "
                    + "code is then 1.",
            "Without --once it runs until interrupted (Ctrl-C), waiting on the inbox (the gateway holds each listing "
                    + "up to 25 s and answers as soon as a transfer is stored), so a new transfer is received at once.",
            "",
            "Exactly once, after any crash: a journal in DIR/.sekisho-partial/journal/ records each file placed and"
                    + " not yet acknowledged; the next run acknowledges such a transfer without downloading or writing"
                    + " it again (既に受領済み、確認応答のみ送信). Decrypted temporary files (.opened) are created"
                    + " readable by you only and deleted on every error, on SIGTERM/Ctrl-C, and at the start of the"
                    + " next run after a kill. One receive at a time per DIR (DIR/.sekisho-partial/.lock)."
        })
public final class ReceiveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(
            names = "--route",
            required = true,
            paramLabel = "ID",
            description = "受信する経路の ID / The route to receive from.")
    String route;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "受信したファイルを書くフォルダ / Where received files are written.")
    Path out;

    @Mixin
    RecipientOptions recipient;

    @Option(
            names = "--once",
            description = "今待っている分を受信して終了します / Receive what is waiting now, then exit. The launchers"
                    + " start it on the JIT's quick tier; finding more than 32 MiB waiting, it hands the job to a JVM"
                    + " with the full JIT before it downloads anything.")
    boolean once;

    @Option(
            names = "--timings",
            description = "最初の回の所要時間の内訳を標準エラーに表示します / Print on stderr where the first round's"
                    + " time went: start-up, keys, the inbox (TLS handshake), downloading, opening, writing and"
                    + " acknowledging.")
    boolean timings;

    private Timings steps = Timings.of(false);

    /** The key's passphrase as read (null: none), for a hand-over's child, which cannot read a FIFO again. */
    private char[] keyPassword;

    /** The variables a hand-over's child reads the passwords this process read from. */
    static final String HANDOVER_IDENTITY_PASSWORD = "SEKISHO_HANDOVER_IDENTITY_PASSWORD";

    static final String HANDOVER_KEY_PASSWORD = "SEKISHO_HANDOVER_KEY_PASSWORD";

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = Units.DurationConverter.class,
            description = "受信箱を一覧する間隔（一覧を保留できないとき、またはすべて拒否された回の後）"
                    + " / Pause between listings of the inbox where the gateway cannot hold them (an older gateway, or"
                    + " one holding its limit of waiting listings), and after a round in which every listed transfer"
                    + " was refused. Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(
            names = "--retries",
            paramLabel = "N",
            defaultValue = "8",
            description = "通信の失敗や 5xx 応答の後にダウンロードを続けて再試行する回数"
                    + " / Retries in a row of a download after network failures or 5xx answers. Default:"
                    + " ${DEFAULT-VALUE}.")
    int retries;

    @Option(
            names = "--json",
            description = "受信した転送ごとに JSON オブジェクトを 1 つ表示します / Print one JSON object per received transfer.")
    boolean json;

    @Override
    public Integer call() {
        steps = Timings.of(timings);
        PrivateKey privateKey;
        X509Certificate certificate;
        TrustAnchors anchors;
        try {
            keyPassword = recipient.keyPassword();
            privateKey = Pem.readPrivateKey(recipient.key, keyPassword);
            certificate = recipient.cert == null ? null : Pem.readCertificate(recipient.cert);
            anchors = TrustAnchors.fromPem(recipient.trust);
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        steps.mark("鍵 / keys and trust anchors");
        GatewayClient client = gateway.client(GatewayOptions.TRANSFER_LISTENER);
        PrintWriter w = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InboxRound.Listener listener = new InboxRound.Listener() {
            @Override
            public void received(InboxRound.Received r) {
                report(r, w, err);
            }

            @Override
            public void refused(String transferId, String message) {
                err.println("sekisho receive: " + Printable.of(message));
                err.flush();
            }
        };
        Outcome outcome;
        try (InboxRound round = InboxRound.open(
                client, route, out, new InboxRound.Keys(privateKey, certificate, anchors), retries, listener, true)) {
            int swept = round.swept();
            if (swept > 0) {
                err.printf(
                        "sekisho receive: 前回の実行が残した復号済み一時ファイルを削除しました（%d件） / removed %d decrypted"
                                + " temporary file(s) an interrupted run left in %s%n",
                        swept, swept, Printable.value(round.partialDir()));
                err.flush();
            }
            outcome = poll(client, round, w, err);
        }
        if (outcome instanceof Outcome.HandOver handOver) {
            // after the round let go of --out's lock: the child takes it
            return FullJit.run(handOver.command(), handOver.environment());
        }
        return ((Outcome.Done) outcome).exitCode();
    }

    /** How a run of {@link #poll} ends. */
    private sealed interface Outcome {
        /** Done here, with this exit code. */
        record Done(int exitCode) implements Outcome {}

        /**
         * Nothing downloaded or acknowledged: a JVM with the full JIT is to do the whole job (FullJit),
         * with the passwords read here in its environment.
         */
        record HandOver(List<String> command, Map<String, String> environment) implements Outcome {}
    }

    private Outcome poll(GatewayClient client, InboxRound round, PrintWriter w, PrintWriter err) {
        // Transfers refused here (cannot be opened, wrong hash) stay on the gateway, unacknowledged,
        // and the round does not try them again in this run, so that one of them cannot hold up all the others.
        InboxListing listing = new InboxListing(client, "api/v1/routes/" + Paths.segment(route) + "/inbox", err);
        while (true) {
            List<Object> inbox;
            int handled;
            boolean pause;
            try {
                InboxListing.Answer answer = listing.list(!once);
                inbox = answer.transfers();
                steps.mark("一覧 / inbox (TLS handshake, GET)");
                Outcome.HandOver fullJit = once ? fullJitFor(inbox) : null;
                if (fullJit != null) {
                    steps.mark("引継ぎ / hand-over (full JIT)");
                    steps.print(err);
                    return fullJit; // the child lists again
                }
                handled = round.run(inbox);
                // pause before listing again when this round did nothing and the gateway did not hold the
                // listing, or listed only transfers refused in this run: listing again at once would spin
                pause = handled == 0 && (!answer.waited() || !inbox.isEmpty());
            } catch (CliException e) {
                if (!once && Thread.currentThread().isInterrupted()) {
                    w.flush();
                    // stopped: a partial download stays for the next run, nothing was acknowledged half-way
                    return new Outcome.Done(ExitCode.OK);
                }
                throw e;
            }
            steps.mark("受信 / download, open, write, acknowledge");
            steps.print(spec.commandLine().getErr());
            steps = Timings.of(false); // the first round only: later polls reuse the connection
            if (once) {
                if (inbox.isEmpty() && handled == 0 && !json) {
                    w.println("待っている転送はありません / nothing waiting on route " + Printable.of(route));
                }
                w.flush();
                return new Outcome.Done(round.refused().isEmpty() ? ExitCode.OK : ExitCode.REFUSED);
            }
            w.flush();
            if (!pause) {
                continue; // received something, or the gateway's wait ended with nothing stored
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return new Outcome.Done(ExitCode.OK); // stopped between polls: nothing half done
            }
        }
    }

    /**
     * The full-JIT command line when this receive runs on the JIT's quick tier and the inbox holds more
     * than that tier opens well (see {@link FullJit}); else null, and this JVM receives.
     */
    /**
     * A password read here, for the child's environment: every name of its source's options as this
     * command declares them (aliases included), replaced by the source's environment option.
     */
    private FullJit.Secret secret(PasswordSource source, String variable, char[] value) {
        List<String> names = new ArrayList<>();
        for (String option : source.options()) {
            OptionSpec declared = spec.findOption(option);
            if (declared == null) {
                throw new IllegalStateException("receive declares no " + option);
            }
            names.addAll(List.of(declared.names()));
        }
        return new FullJit.Secret(names, source.envOption(), variable, value);
    }

    private Outcome.HandOver fullJitFor(List<Object> inbox) {
        long bytes = 0;
        for (Object o : inbox) {
            if (o instanceof Map<?, ?> m && m.get("size") instanceof Number n) {
                bytes += n.longValue();
            }
        }
        if (bytes <= FullJit.quickTierMaxBytes()) {
            return null;
        }
        List<FullJit.Secret> secrets = List.of(
                secret(GatewayOptions.PASSWORD, HANDOVER_IDENTITY_PASSWORD, gateway.identityPassword()),
                secret(RecipientOptions.PASSWORD, HANDOVER_KEY_PASSWORD, keyPassword));
        List<String> args = FullJit.withSecretsFromEnvironment(
                spec.commandLine().getParseResult().originalArgs(), secrets);
        return FullJit.commandFor(args)
                .map(command -> new Outcome.HandOver(command, FullJit.environment(secrets)))
                .orElse(null);
    }

    /** One line (or JSON object) per transfer received, or acknowledged only. */
    private void report(InboxRound.Received r, PrintWriter w, PrintWriter err) {
        if (r.ack().equals("ENDED")) {
            err.printf(
                    "sekisho receive: 受領確認の前にゲートウェイ側で転送が終了しました（%s）。ファイルは残します / the gateway"
                            + " ended transfer %s as %s before it was acknowledged; the file %s stays%n",
                    Printable.of(r.ackState()),
                    Printable.of(r.transferId()),
                    Printable.of(r.ackState()),
                    Printable.value(r.file()));
            err.flush();
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transferId", r.transferId());
            m.put("file", r.file().toString());
            m.put("bytes", r.bytes());
            m.put("sha256", r.plaintextSha256());
            m.put("records", r.records());
            m.put("signer", r.signer());
            m.put("sender", r.sender());
            m.put("envelopeSha256", r.envelopeSha256());
            m.put("alreadyPlaced", r.alreadyPlaced());
            m.put("acknowledgment", r.ack());
            w.println(JsonOut.write(m));
        } else if (r.alreadyPlaced()) {
            w.printf(
                    "既に受領済み、確認応答のみ送信 / already placed as %s (%d bytes, %d records) by an earlier run: "
                            + "acknowledging only, transfer %s %s%n",
                    Printable.value(r.file()),
                    r.bytes(),
                    r.records(),
                    Printable.of(r.transferId()),
                    switch (r.ack()) {
                        case "ACKNOWLEDGED" -> "acknowledged";
                        case "ALREADY_ACKNOWLEDGED" -> "was acknowledged already (" + Printable.of(r.ackState()) + ")";
                        default -> "not acknowledged (" + Printable.of(r.ackState()) + ")";
                    });
        } else {
            w.printf(
                    "received %s (%d bytes, %d records) signed by %s, transfer %s, acknowledged%n",
                    Printable.value(r.file()),
                    r.bytes(),
                    r.records(),
                    Printable.of(r.signer()),
                    Printable.of(r.transferId()));
        }
        w.flush();
    }
}
