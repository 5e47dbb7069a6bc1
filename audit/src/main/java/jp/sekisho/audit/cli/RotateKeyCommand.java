package jp.sekisho.audit.cli;

import java.nio.file.Path;
import jp.sekisho.audit.keys.KeyEvents;
import jp.sekisho.audit.keys.KeyRotation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audit rotate-key}: replaces this node's audit signing key on purpose, recorded in its chain. */
@Command(
        name = "rotate-key",
        mixinStandardHelpOptions = true,
        description = {
            "このノードの監査署名鍵を新しい鍵に替え、その旨を監査チェーンに記録します（ゲートウェイ停止中のみ）。"
                    + " Replace this node's audit signing key with a new one and record it in the node's audit chain"
                    + " (only while the node's gateway is stopped).",
            "旧鍵が残っていれば旧鍵が引継ぎに署名し（audit-signing.key.retired-KEYID として保管）、"
                    + "失われていれば「署名なし」と記録されます。audit verify はこの鍵交換を示します。"
                    + "新しい鍵はバックアップしてください。 The old key, when its file is still there, signs the"
                    + " hand-over and is kept as audit-signing.key.retired-KEYID; a lost key is recorded as such"
                    + " (unsigned). audit verify then reports the rotation by name. Back the new key up."
        })
final class RotateKeyCommand extends StoreCommand {

    @Option(
            names = "--config",
            required = true,
            paramLabel = "GATEWAY.yml",
            description = "鍵を替えるノードの設定ファイル / the configuration of the node whose key to replace")
    Path config;

    @Option(
            names = "--reason",
            required = true,
            paramLabel = "TEXT",
            description = "鍵を替える理由（監査記録に残ります） / why the key is replaced, recorded in the chain")
    String reason;

    @Override
    int execute() throws java.io.IOException, InputException {
        if (reason.isBlank()) {
            throw new InputException("--reason に理由を書いてください / --reason must say why the key is replaced");
        }
        KeyRotation.Rotated r = KeyRotation.rotate(config(config), reason, KeyEvents.osUser());
        if (r.seq() == 0) {
            out().println("中断された鍵の交換を完了しました / finished an interrupted rotation of node " + r.nodeId() + ": key "
                    + r.newKeyId() + " is now in place");
            out().flush();
            return AuditCommand.OK;
        }
        out().println("ROTATED: " + r.nodeId() + " key " + r.oldKeyId() + " → " + r.newKeyId() + " at " + r.nodeId()
                + "#" + r.seq() + (r.signed() ? " (signed by the old key)" : " (old key lost: not signed)"));
        out().println("新しい鍵の指紋 / new key fingerprint (SHA-256): " + r.fingerprint());
        out().println("新しい鍵を必ずバックアップしてください / back the new key up now: "
                + config(config).audit().signingKey());
        out().flush();
        return AuditCommand.OK;
    }
}
