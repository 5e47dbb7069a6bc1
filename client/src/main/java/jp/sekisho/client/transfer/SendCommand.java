package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jp.sekisho.certs.Identity;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.Timings;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.GatewayOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho send}: seal a file for the route's recipients and upload it to the gateway (tus, resumable). */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "ファイル 1 つを経路で送ります（承認との照合、署名、暗号化、再開できるアップロード、受領証）。"
                    + " Sends one file on a route: checks it against the approval, signs it with your identity and"
                    + " encrypts it for the route's recipient certificate(s) (CMS, AES-256-GCM), uploads it (tus,"
                    + " resumable) and prints the gateway's signed receipt.",
            "",
            "CSV ファイル（名前が .csv で終わるか --csv）は暗号化の前に確かめます:"
                    + " 見出しの各列が承認された個人情報項目であること（列名は項目コード、または --items-map"
                    + " で対応付け）、件数（見出しの後の行。二重引用符の中の改行では区切らず、空行は数えません）"
                    + "が承認の上限件数以下であること。",
            "アップロードは封筒を作りながら始まります（--chunk-checksums のときを除く）。通信の失敗と 5xx 応答は間隔を空けて再試行し、ゲートウェイが止まったところから続けます。",
            "受領証が届くまで、送信の状態を入力の隣の非公開フォルダ " + SendState.FOLDER + "/<16 桁の 16"
                    + " 進数>/（0700）に保ちます（暗号化した封筒とアップロードの URL）。中断したとき（kill、Ctrl-C、"
                    + "ゲートウェイに届かない、終了コード 3）は、"
                    + "同じコマンドをもう一度実行すると同じアップロードを続けるか、"
                    + "保管済みなら受領証だけを受け取ります。入力、ゲートウェイ、--filename、--records、--cbc"
                    + " が変わったとき、封筒が完成していなかったとき、ゲートウェイにそのアップロードがないときは、"
                    + "そう示して最初からやり直します（--restart でも同じ）。フォルダは受領証が届いたとき、"
                    + "拒否（終了コード 1）や入力の誤り（終了コード 2）の後に消します。",
            "終了コード: 0 ゲートウェイが保管した、1 拒否（標準エラーの先頭に理由コード）、2 使い方・入力の誤り、3 ゲートウェイに接続できない。",
            "",
            "A CSV file (name ending in .csv, or --csv) is checked before anything is encrypted: every header column "
                    + "must name a data item the approval covers (column names are data item codes, or map them with "
                    + "--items-map), and the number of records (lines after the header; a line break inside double "
                    + "quotes does not end a record; empty lines are not records) must not exceed the approval's maximum.",
            "The upload starts while the file is still being sealed (tus Upload-Defer-Length) unless "
                    + "--chunk-checksums is given.",
            "Network failures and 5xx answers are retried with backoff; the upload resumes where the gateway stopped.",
            "Until the receipt arrives, the send keeps its state in a private folder beside the input, "
                    + SendState.FOLDER + "/<16 hex digits>/ (0700): the sealed envelope (ciphertext only) and the "
                    + "upload's URL. If the send is interrupted (kill, Ctrl-C, the gateway unreachable, exit 3), "
                    + "running the same command again continues the same upload from the gateway's offset, or just "
                    + "fetches the receipt if the gateway already stored it. It starts afresh, and says so, when the "
                    + "input, the gateway, --filename, --records or --cbc changed, when the envelope was not sealed "
                    + "completely, or when the gateway no longer has the upload; --restart makes it start afresh. "
                    + "The folder is removed when the "
                    + "receipt arrives and after a refusal (exit 1) or an input error (exit 2).",
            "Exit codes: 0 stored by the gateway, 1 refused (reason code first on stderr), 2 usage or input error, "
                    + "3 gateway unavailable."
        })
public final class SendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--route", required = true, paramLabel = "ID", description = "送信する経路の ID / The route to send on.")
    String route;

    static final class Input {
        @Option(
                names = "--file",
                required = true,
                paramLabel = "FILE",
                description = "封筒にして送るファイル / The file to seal and send.")
        Path file;

        @Option(
                names = "--encrypted",
                required = true,
                paramLabel = "FILE.cms",
                description = "ほかで作った封筒をそのまま送ります（--records が必要）"
                        + " / Send an envelope made elsewhere (e.g. openssl cms), as it is; needs --records.")
        Path encrypted;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(
            names = "--records",
            paramLabel = "N",
            description = "件数（CSV 以外と --encrypted では必須。CSV では実際の件数と同じであること）"
                    + " / Number of records. Required for non-CSV files and --encrypted; for a CSV it must equal the"
                    + " count.")
    Long records;

    @Option(
            names = "--items-map",
            paramLabel = "MAP",
            description = "列名を個人情報項目コードに対応付けるファイル（CSV 用）"
                    + " / File of column=item_code lines mapping CSV column names to data item codes (e.g. 氏名=name).")
    Path itemsMap;

    @Option(
            names = "--encoding",
            paramLabel = "ENC",
            defaultValue = "UTF-8",
            converter = TextEncoding.Converter.class,
            description = "文字コード（CSV の見出しと --items-map。ファイルは変えずに送ります）"
                    + " / Encoding of the CSV header and --items-map: UTF-8 (BOM skipped), Shift_JIS, CP932 or auto;"
                    + " the file is sent unchanged. Default: ${DEFAULT-VALUE}.")
    TextEncoding encoding;

    @Option(names = "--csv", description = "名前によらず CSV として扱います / Treat the file as CSV whatever its name.")
    boolean csv;

    @Option(
            names = "--cbc",
            description = "暗号方式を GCM でなく CBC にします（経路が許す場合のみ）"
                    + " / AES-256-CBC (EnvelopedData) instead of AES-256-GCM, only where the route allows it.")
    boolean cbc;

    @Option(
            names = "--compress",
            negatable = true,
            description = "暗号化の前に封筒の中でファイルを圧縮します。--no-compress は標準の openssl"
                    + " で開く受託事業者向け / Compress the file (zlib, RFC 3274) inside the envelope, before"
                    + " encryption. --no-compress for a contractor who opens envelopes with stock openssl (Debian's"
                    + " cannot inflate). Default: compress when the route allows it (its terms say compression) and"
                    + " the file looks compressible (its first 64 KiB deflate below 90 %%: CSV and text yes, random or"
                    + " already compressed data no).")
    Boolean compress;

    @Option(
            names = "--filename",
            paramLabel = "NAME",
            description = "受信先に見えるファイル名 / The name the receiver sees. Default: the file's name plus .cms"
                    + " (or the envelope's name).")
    String filename;

    @Option(
            names = "--gateway-key",
            paramLabel = "PUB.pem|DIR",
            description = "ゲートウェイの監査署名公開鍵（受領証の署名をこれで検証します）"
                    + " / The gateways' audit signing public keys (a PEM file with one or more keys, a folder of"
                    + " *.pem, or the JSON of GET /api/v1/audit/signing-keys): the receipt's Ed25519 signature must"
                    + " verify with one of them.")
    Path gatewayKey;

    @Option(
            names = "--chunk-size",
            paramLabel = "SIZE",
            defaultValue = "256MiB",
            converter = Units.SizeConverter.class,
            description = "アップロード 1 回（PATCH）のバイト数 / Bytes per upload request (PATCH); the gateway makes"
                    + " each durable before it answers. Default: ${DEFAULT-VALUE}.")
    long chunkSize;

    @Option(
            names = "--chunk-checksums",
            description = "チャンクごとに SHA-256 を送り、途中で壊れたチャンクをすぐに送り直します"
                    + " / Send each chunk's SHA-256 (tus Upload-Checksum), so a chunk damaged on the way is refused"
                    + " and sent again at once. Costs a read and a hash of every chunk before it is sent; without it"
                    + " the gateway still checks the whole envelope's SHA-256 before it stores anything.")
    boolean chunkChecksums;

    @Option(
            names = "--retries",
            paramLabel = "N",
            defaultValue = "8",
            description = "通信の失敗や 5xx 応答の後に続けて再試行する回数 / Retries in a row after network failures"
                    + " or 5xx answers (backoff 0.5 s doubling to 30 s). Default: ${DEFAULT-VALUE}.")
    int retries;

    @Option(names = "--json", description = "受領証を JSON で表示します / Print the receipt as JSON.")
    boolean json;

    @Option(
            names = "--restart",
            description = "中断した送信を続けず、最初からやり直します（ゲートウェイ上のアップロードと状態を消します）"
                    + " / Do not continue an interrupted send of this file on this route: its upload is deleted on the"
                    + " gateway, its state removed, and the file sealed and sent afresh.")
    boolean restart;

    @Option(
            names = "--timings",
            description = "所要時間の内訳を標準エラーに表示します / Print on stderr where the time went: start-up,"
                    + " keys, terms (TLS handshake), sealing and upload, receipt.")
    boolean timings;

    @Override
    public Integer call() {
        if (chunkSize < 1) {
            throw CliException.usage("--chunk-size must be positive");
        }
        Path source = input.file != null ? input.file : input.encrypted;
        if (!Files.isRegularFile(source)) {
            throw CliException.usage(source + ": no such file");
        }
        if (itemsMap != null && input.encrypted != null) {
            throw CliException.usage("--items-map applies to --file only (an envelope's content cannot be read)");
        }
        ItemsMap map = itemsMap == null ? null : ItemsMap.read(itemsMap, encoding);
        Timings steps = Timings.of(timings);
        GatewayClient client = gateway.client(GatewayOptions.TRANSFER_LISTENER);
        Identity identity = input.file != null ? gateway.identity() : null;
        steps.mark("鍵 / identity and keys");
        PrintWriter err = spec.commandLine().getErr();
        FileSender.Options options = new FileSender.Options(
                route,
                source,
                input.encrypted != null,
                records,
                map,
                encoding,
                csv,
                cbc,
                compress,
                filename,
                chunkSize,
                chunkChecksums,
                retries,
                restart,
                Progress.forTerminal("upload"));
        FileSender.Sent sent = new FileSender(client, identity, err).send(options, steps, true);
        sent.done(); // the receipt arrived: nothing is left to resume
        Receipt receipt = sent.receipt();
        Boolean verified = null;
        if (gatewayKey != null) {
            receipt.verifyWith(gatewayKey);
            verified = true;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(receipt.json());
        } else {
            receipt.print(out, verified);
            if (sent.retries() > 0) {
                out.printf("retries:   %d (resumed from the gateway's offset)%n", sent.retries());
            }
        }
        out.flush();
        steps.print(err);
        return ExitCode.OK;
    }

    static void notice(PrintWriter err, String m) {
        err.println("send: " + Printable.of(m));
        err.flush();
    }

    static void checkSize(long size, RouteTerms terms) {
        if (size > terms.maxPayloadBytes()) {
            throw new CliException(
                    ExitCode.REFUSED,
                    "PAYLOAD_TOO_LARGE: 封筒が経路の上限を超えています。 the envelope has " + size + " bytes, route "
                            + terms.route() + " accepts at most " + terms.maxPayloadBytes() + ". 次に: ファイルを"
                            + "分けて送るか、上限について事務局に相談してください。 next: split the file, or ask the"
                            + " secretariat about the route's limit.");
        }
    }

    static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover holds only ciphertext; the next run of the command clears it
            }
        }
    }
}
