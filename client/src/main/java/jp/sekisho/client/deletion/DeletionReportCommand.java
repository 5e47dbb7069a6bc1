package jp.sekisho.client.deletion;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.cli.TextTable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.GatewayOptions;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.envelope.SignedStatement;
import jp.sekisho.gateway.approval.RefNumbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sekisho deletion-report ...}: the contractor's deletion report (廃棄報告), docs/deletion-reports.md. */
@Command(
        name = "deletion-report",
        mixinStandardHelpOptions = true,
        description = {
            "受託事業者の廃棄報告です（削除の明細に署名して提出し、ゲートウェイが引き渡した転送と照合します）。"
                    + " The contractor's deletion report (廃棄報告): a manifest of the transfers received under an"
                    + " approval and when and how each was deleted, signed with the contractor's key (CMS SignedData)"
                    + " and submitted on its transfer listener; the gateway checks it against what it delivered"
                    + " (docs/deletion-reports.md).",
            "",
            "template は記入用の明細を表示し、submit は署名して提出し、list は受理された報告を示します（事務局・監査担当、管理用リスナー）。",
            "template prints the manifest to fill in; submit signs and submits it; list shows the accepted reports "
                    + "(secretariat, auditor, admin listener)."
        },
        subcommands = {
            DeletionReportCommand.Template.class,
            DeletionReportCommand.Submit.class,
            DeletionReportCommand.ListCmd.class
        })
public final class DeletionReportCommand {

    /** As the gateway reads it: docs/deletion-reports.md. */
    static final int MAX_MANIFEST = 256 * 1024;

    static String path(String ref) {
        return "api/v1/approvals/"
                + URLEncoder.encode(RefNumbers.normalise(ref), StandardCharsets.UTF_8)
                        .replace("+", "%20");
    }

    @Command(
            name = "template",
            mixinStandardHelpOptions = true,
            description = "承認のもとで引き渡した転送を並べ、"
                    + "削除日時と方法を空欄にした明細を表示します（転送用リスナー、受信先）。"
                    + " Prints a manifest listing the transfers delivered under the approval (id and SHA-256), with"
                    + " deleted-at and method left empty for you to fill in. Transfer listener, receiver.")
    static final class Template extends RemoteCommand {
        @Option(
                names = "--approval",
                required = true,
                paramLabel = "REF",
                description = "承認番号 / The approval, e.g. 2総政第158号.")
        String approval;

        @Override
        protected GatewayClient client() {
            return gateway.client(GatewayOptions.TRANSFER_LISTENER);
        }

        @Override
        protected void run() {
            List<Object> delivered =
                    client().get(path(approval) + "/deliveries").array();
            List<Object> transfers = new ArrayList<>();
            for (Object o : delivered) {
                Map<?, ?> d = (Map<?, ?>) o;
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("id", d.get("id"));
                t.put("sha256", d.get("sha256"));
                t.put("deleted-at", "");
                t.put("method", "");
                transfers.add(t);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("approval", RefNumbers.normalise(approval));
            m.put("responsible", "");
            m.put("transfers", transfers);
            m.put("note", "");
            out().println(Json.write(m));
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "明細 MANIFEST.json に署名して転送用リスナーに提出します。ゲートウェイは、"
                        + "署名者がその承認の経路の受信先で、"
                        + "明細がその承認のもとで引き渡した転送とちょうど一致するときだけ受理します。"
                        + " Signs MANIFEST.json (CMS SignedData, SHA-256, the signer's certificate inside) and submits"
                        + " it on the transfer listener. The gateway accepts it only when the signer is a receiver of"
                        + " the approval's routes and the manifest lists exactly the transfers it delivered under the"
                        + " approval.",
                "終了コード: 0 受理、1 拒否（理由コードは標準エラーへ）、2 使い方・入力の誤り、3 接続できない。",
                "Exit codes: 0 accepted, 1 refused (reason code on stderr), 2 usage or input, 3 unavailable."
            })
    static final class Submit extends RemoteCommand {
        @Option(
                names = "--approval",
                required = true,
                paramLabel = "REF",
                description = "承認番号 / The approval, e.g. 2総政第158号.")
        String approval;

        @Option(
                names = "--file",
                required = true,
                paramLabel = "MANIFEST",
                description = "明細（JSON、UTF-8） / The manifest (JSON, UTF-8).")
        Path file;

        @Option(
                names = "--signer",
                paramLabel = "FILE",
                description = "署名に使う PKCS#12 ファイル / The PKCS#12 file to sign with. Default: the --identity.")
        Path signer;

        @Option(
                names = "--signer-password-file",
                paramLabel = "FILE",
                description = "署名用ファイル（--signer）のパスワードを 1 行目に書いたファイル"
                        + " / File whose first line is the --signer's password (default: an empty password).")
        Path signerPasswordFile;

        @Override
        protected GatewayClient client() {
            return gateway.client(GatewayOptions.TRANSFER_LISTENER);
        }

        @Override
        protected void run() {
            byte[] manifest = manifest();
            Identity id = signer == null ? gateway.identity() : signerIdentity();
            byte[] signed = SignedStatement.sign(manifest, id);
            GatewayClient client = client();
            HttpRequest req = HttpRequest.newBuilder(client.resolve(path(approval) + "/deletion-reports"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/cms")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(signed))
                    .build();
            GatewayClient.Response r = client.answer(req);
            if (r.status() != 201) {
                throw GatewayClient.problem(r);
            }
            Map<String, Object> ok = r.object();
            out().println(Printable.of("廃棄報告を受理しました / deletion report accepted: " + ok.get("id")));
            out().println(Printable.of("  承認 approval: " + ok.get("approvalRef") + ", 転送 transfers: "
                    + ok.get("transfers") + ", 署名者 signer: " + ok.get("signer")));
        }

        /** The manifest as read: bounded, UTF-8 JSON, naming this approval (the gateway checks the rest). */
        private byte[] manifest() {
            byte[] b;
            try (InputStream in = Files.newInputStream(file)) {
                b = in.readNBytes(MAX_MANIFEST + 1);
            } catch (IOException e) {
                throw CliException.usage("--file " + file + ": 読めません / cannot read: " + e.getMessage());
            }
            if (b.length > MAX_MANIFEST) {
                throw CliException.usage("--file " + file + ": 256 KiB を超えています / larger than 256 KiB");
            }
            Map<String, Object> m;
            try {
                m = Json.parseObject(new String(b, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--file " + file + ": JSONとして読めません / not a JSON object: " + e.getMessage());
            }
            if (!RefNumbers.normalise(approval).equals(m.get("approval"))) {
                throw CliException.usage("--file " + file + ": 承認番号が --approval と異なります / its \"approval\" is not "
                        + RefNumbers.normalise(approval));
            }
            return b;
        }

        private Identity signerIdentity() {
            char[] password = new char[0];
            if (signerPasswordFile != null) {
                try {
                    String first = Files.readAllLines(signerPasswordFile, StandardCharsets.UTF_8).stream()
                            .findFirst()
                            .orElse("");
                    password = first.toCharArray();
                } catch (IOException e) {
                    throw CliException.usage("--signer-password-file: " + e.getMessage());
                }
            }
            try {
                return Identities.load(signer, password);
            } catch (PkiException e) {
                throw CliException.usage("--signer: " + e.getMessage());
            }
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "承認について受理した廃棄報告を一覧します（事務局・監査担当、管理用リスナー）。"
                    + " Lists the accepted deletion reports of an approval (secretariat, auditor; admin listener).")
    static final class ListCmd extends RemoteCommand {
        @Option(names = "--approval", required = true, paramLabel = "REF", description = "承認番号 / The approval.")
        String approval;

        @Option(names = "--json", description = "記録を JSON で表示します / Print the JSON records.")
        boolean json;

        @Override
        protected void run() {
            GatewayClient.Response r = client().get(path(approval) + "/deletion-reports");
            if (json) {
                out().println(r.body());
                return;
            }
            TextTable t = new TextTable(
                    List.of("報告ID Id", "受理日時 Submitted", "署名者 Signer", "責任者 Responsible", "転送 Transfers"), 64);
            for (Object o : r.array()) {
                Map<?, ?> m = (Map<?, ?>) o;
                t.row(
                        m.get("id"),
                        JapaneseDates.timeJst(java.time.Instant.parse(String.valueOf(m.get("submittedAt")))),
                        m.get("signer"),
                        m.get("responsible"),
                        m.get("transfers"));
            }
            out().print(t.isEmpty() ? "受理された廃棄報告はありません / no deletion report accepted\n" : t.render());
        }
    }
}
