package jp.sekisho.envelope.cli;

import java.nio.file.Path;
import jp.sekisho.cli.PasswordSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What a receiver opens envelopes with: its key, optionally its certificate, and the CA it trusts for senders. */
public final class RecipientOptions {

    @Option(
            names = "--key",
            required = true,
            paramLabel = "KEY.pem",
            description = "あなたの復号鍵（PKCS#8 PEM） / Your decryption key (PKCS#8 PEM).")
    public Path key;

    /** The environment variable read for the key's passphrase when no option gives it. */
    public static final String PASSWORD_ENV = "SEKISHO_KEY_PASSWORD";

    /** Where the key's passphrase comes from: its options, as a hand-over also needs them. */
    public static final PasswordSource PASSWORD =
            new PasswordSource("--key-password-file", "--key-password-env", "--key-password", PASSWORD_ENV);

    @Option(
            names = "--key-password-file",
            paramLabel = "FILE",
            description = "暗号化した --key のパスフレーズを 1 行目に書いたファイル"
                    + " / File whose first line is the passphrase of an encrypted --key.")
    Path keyPasswordFile;

    @Option(
            names = "--key-password-env",
            paramLabel = "NAME",
            description = "そのパスフレーズを入れた環境変数 / Environment variable holding that passphrase. Without any of"
                    + " these options: " + PASSWORD_ENV + " if set, else none.")
    String keyPasswordEnv;

    @Option(
            names = "--key-password",
            paramLabel = "P",
            description = "コマンド行で渡すパスフレーズ（ps で全利用者に見えます）"
                    + " / That passphrase on the command line: visible to every user in ps; prefer --key-password-file"
                    + " or --key-password-env.")
    String keyPasswordArgv;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /** The key's passphrase from exactly one of its sources, warning when it came from argv. */
    public char[] keyPassword() {
        return PASSWORD.read(
                keyPasswordFile,
                keyPasswordEnv,
                keyPasswordArgv,
                mixee == null ? "sekisho" : mixee.qualifiedName(),
                mixee == null ? null : mixee.commandLine().getErr(),
                System::getenv);
    }

    @Option(
            names = "--cert",
            paramLabel = "CERT.pem",
            description = "あなたの暗号化用証明書（封筒の中の自分あての項目を選びます） / Your encryption certificate (picks the recipient entry).")
    public Path cert;

    @Option(
            names = "--trust",
            required = true,
            paramLabel = "ca.pem",
            description = "送信元の署名を確かめる CA 証明書 / CA certificate(s) a sender's signature must chain to.")
    public Path trust;
}
