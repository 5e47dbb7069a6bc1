package jp.sekisho.audit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.archive.ArchiveSet;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.keys.KeyFiles;
import jp.sekisho.audit.keys.KeyRegistry;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit verify}: on the store ({@code --config}) or offline on an export ({@code --file --key}). */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "監査ログのハッシュチェーンと署名付きチェックポイントを検証します（終了コード 0 改ざんなし、1"
                + " 改ざんを検出、4 書き出しが途中で切れた）。 Check the audit hash chains and signed checkpoints."
                + " Exit 0 when intact, 1 naming the first event modified, deleted, inserted or reordered, 4 when the"
                + " export was cut short (TRUNCATED: incomplete, not tampered; run it again).")
final class VerifyCommand extends StoreCommand {

    @Option(
            names = "--config",
            paramLabel = "GATEWAY.yml",
            description = "この設定ファイルのゲートウェイが使うストアを検証します / verify the store this gateway configuration uses")
    Path config;

    @Option(
            names = "--file",
            paramLabel = "EXPORT.jsonl",
            description = "書き出しファイル（JSON Lines）をオフラインで検証します / verify a JSON Lines export offline")
    Path file;

    @Option(
            names = "--key",
            paramLabel = "PUB.pem",
            description = "監査署名の公開鍵 1 つ（すべてのチェックポイントがこの鍵で署名されていること）"
                    + " / one audit signing public key: every checkpoint must be signed by it")
    Path key;

    @Option(
            names = "--keys",
            paramLabel = "DIR_OR_FILE",
            description = "各ノードの署名公開鍵（*.pem のフォルダ、PEM ファイル、または JSON）。"
                    + "各チェックポイントはそのいずれかで署名されていること / the nodes' signing public keys: a folder"
                    + " of *.pem, a PEM file with one or more keys, or the JSON of GET /api/v1/audit/signing-keys;"
                    + " every checkpoint must be signed by one of them, bound to its node by the chain")
    Path keys;

    @Option(names = "--node", description = "このノードのチェーンだけを検証 / verify only this node's chain")
    String node;

    @Option(
            names = "--archived",
            description = "古い月はアーカイブ済み: チェーンが 1"
                    + " 番からでなく署名付きチェックポイントの直後から始まってよい"
                    + " / old months were archived: a chain may start right after a signed checkpoint instead of at"
                    + " event #1")
    boolean archived;

    @Option(
            names = "--archive",
            paramLabel = "DIR",
            description = "これらのアーカイブフォルダと現在のログを一続きのチェーンとして検証（--config と併用、"
                    + "繰り返し可） / with --config: check these archive folders (audit archive --out) and the live"
                    + " log as one chain; repeatable")
    java.util.List<Path> archives = new java.util.ArrayList<>();

    @Mixin
    GatewayAccess remote = new GatewayAccess();

    @Override
    int execute() throws java.io.IOException, InputException {
        int modes = (config == null ? 0 : 1) + (file == null ? 0 : 1) + (remote.given() ? 1 : 0);
        if (modes != 1) {
            throw new InputException("--config GATEWAY.yml、--file EXPORT.jsonl [--keys DIR_OR_FILE]、--gateway URL"
                    + " --identity FILE のうち一つを指定してください。 give one of --config GATEWAY.yml, --file"
                    + " EXPORT.jsonl [--keys DIR_OR_FILE], or --gateway URL --identity FILE");
        }
        if (!archives.isEmpty() && node != null) {
            throw new InputException("--archive は全ノードを検証します。--node とは併用できません / --archive verifies every "
                    + "node's chain: leave out --node");
        }
        if (!archives.isEmpty() && config == null) {
            throw new InputException("--archive は --config と一緒に指定してください / --archive needs --config "
                    + "(for one archive alone: --file DIR/audit-YYYY-MM.jsonl --key PUB.pem)");
        }
        if (key != null && keys != null) {
            throw new InputException(
                    "--key と --keys のどちらか一方を指定してください / give --key PUB.pem or --keys " + "DIR_OR_FILE, not both");
        }
        KeySet given = givenKeys();
        VerifyResult result;
        if (remote.given()) {
            result = verifyThroughGateway(given);
        } else if (file != null) {
            if (given == null) {
                out().println("note: 書き出しファイル自身の鍵で検証します / using the signing keys the export itself carries "
                        + "(its own word); pass --keys DIR_OR_FILE for an independent check");
            }
            result = ExportFileVerifier.verify(file, given, archived, node);
            if (result instanceof VerifyResult.Broken b && b.seq() > 0) {
                long line = ExportFileVerifier.lineOf(file, b.nodeId(), b.seq());
                if (line > 0) {
                    result = new VerifyResult.Broken(
                            b.nodeId(), b.seq(), b.kind(), file + " line " + line + ": " + b.message());
                }
            }
        } else {
            AuditConfig cfg = config(config);
            try (AuditStore store = open(cfg)) {
                KeySet using = given != null
                        ? given
                        : KeyRegistry.keySet(store.database().dataSource());
                if (archives.isEmpty()) {
                    result = store.reader().verify(using, node, localOperator(), archived);
                } else {
                    ArchiveSet set = ArchiveSet.of(archives);
                    VerifyResult.Broken alone = set.checkEach(using);
                    result = alone != null
                            ? alone
                            : store.reader().verifyContinuing(using, localOperator(), set.events(), set.checkpoints());
                }
            }
        }
        return report(result);
    }

    /**
     * Fetches a full export and verifies it here, so the auditor does not take the gateway's word for
     * it; the key is the one given with --key, else the gateway's own (said so in the output).
     */
    private VerifyResult verifyThroughGateway(KeySet given) throws java.io.IOException, InputException {
        KeySet pub = given;
        if (pub == null) {
            Path fetched = Files.createTempFile("sekisho-audit-keys", ".json");
            try {
                Files.writeString(fetched, remote.getString("signing-keys"));
                pub = KeyFiles.read(fetched);
            } finally {
                Files.deleteIfExists(fetched);
            }
            out().println("note: ゲートウェイが公開した鍵で検証します / using the signing keys the gateway published; pass "
                    + "--keys DIR_OR_FILE for an independent check");
        }
        Path export = Files.createTempFile("sekisho-audit-export", ".jsonl");
        try {
            remote.download(
                    "export?format=jsonl"
                            + (node == null
                                    ? ""
                                    : "&node="
                                            + java.net.URLEncoder.encode(
                                                    node, java.nio.charset.StandardCharsets.UTF_8)),
                    export);
            // a cut stream is TRUNCATED (its end record missing), never taken for tampering
            return ExportFileVerifier.verify(export, pub, archived, node);
        } finally {
            Files.deleteIfExists(export);
        }
    }

    /** The keys given on the command line (--key or --keys), or null. */
    private KeySet givenKeys() throws java.io.IOException {
        if (key != null) {
            return KeySet.of(AuditSigningKey.readPublicKey(key), key.toString());
        }
        return keys == null ? null : KeyFiles.read(keys);
    }

    private int report(VerifyResult result) {
        if (result instanceof VerifyResult.Ok ok) {
            ok.notes().forEach(out()::println);
            out().println("OK: 監査ログを検証しました（" + ok.events() + " 件、署名付きチェックポイント " + ok.checkpoints() + " 件）。 "
                    + ok.events() + " events and " + ok.checkpoints() + " signed checkpoints verified");
            out().flush();
            return AuditCommand.OK;
        }
        VerifyResult.Broken b = (VerifyResult.Broken) result;
        if (result.truncated()) {
            out().println("TRUNCATED: " + b.message());
            out().flush();
            return AuditCommand.TRUNCATED;
        }
        out().println("FAILED: " + b.kind() + (b.seq() > 0 ? " at " + b.nodeId() + "#" + b.seq() : "")
                + ": 監査ログの検証に失敗しました。 verification failed: " + b.message());
        out().flush();
        return AuditCommand.FAILED;
    }
}
