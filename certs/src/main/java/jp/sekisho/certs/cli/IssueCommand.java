package jp.sekisho.certs.cli;

import java.nio.file.Path;
import java.util.Locale;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.cli.PasswordSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "issue",
        mixinStandardHelpOptions = true,
        description = {
            "クライアント・サーバー・宛先（暗号化用）の証明書を発行します。 Issues a client, server or recipient certificate.",
            "",
            "DIR/NAME.pem、DIR/NAME.key（0600）、DIR/NAME.p12（証明書・鍵・CA、0600）を書きます。",
            "Writes DIR/NAME.pem, DIR/NAME.key (0600) and DIR/NAME.p12 (certificate, key and CA; 0600).",
            "",
            "種類 / Kinds:",
            "  client     TLS クライアント（システムまたは担当者）。送信元はこの証明書で封筒に署名します",
            "             a TLS client (system or person): digitalSignature; clientAuth and emailProtection",
            "             (senders sign CMS payloads, which openssl cms -verify checks as S/MIME signing)",
            "  server     TLS サーバー（--dns/--ip の名前）",
            "             a TLS server: serverAuth, with the --dns/--ip names",
            "  recipient  受託事業者の CMS 暗号化用の証明書（TLS には使えません）",
            "             a contractor's CMS encryption certificate: keyEncipherment (RSA) or keyAgreement",
            "             (EC), no TLS usage"
        })
final class IssueCommand extends PkiCommand {

    @Mixin
    SubjectOptions subject;

    @Option(
            names = "--key-type",
            paramLabel = "TYPE",
            description = "鍵の種類（既定は ec、recipient は rsa） / ec (P-256) or rsa (3072). Default: ec, and rsa"
                    + " for recipient certificates.")
    KeyType keyType;

    static final PasswordSource P12_PASSWORD =
            new PasswordSource("--p12-password-file", "--p12-password-env", "--p12-password", "SEKISHO_P12_PASSWORD");

    @Option(
            names = "--p12-password-file",
            paramLabel = "FILE",
            description = "保存する .p12 のパスワードを 1 行目に書いたファイル / File whose first line is the password of the .p12 file.")
    Path p12PasswordFile;

    @Option(
            names = "--p12-password-env",
            paramLabel = "NAME",
            description = "そのパスワードを入れた環境変数 / Environment variable holding that password. Without any of"
                    + " these options: SEKISHO_P12_PASSWORD if set, else empty.")
    String p12PasswordEnv;

    @Option(
            names = "--p12-password",
            paramLabel = "PASSWORD",
            description = "コマンド行で渡すパスワード（ps で全利用者に見えます）"
                    + " / That password on the command line: visible to every user in ps; prefer --p12-password-file"
                    + " or --p12-password-env.")
    String p12Password;

    @Option(names = "--force", description = "同じ名前の既存の鍵を置き換えます / Replace an existing key of the same name.")
    boolean force;

    @Override
    void run() {
        KeyAlgorithm alg = KeyType.algorithm(keyType, subject.kind);
        char[] password = P12_PASSWORD.read(
                p12PasswordFile,
                p12PasswordEnv,
                p12Password,
                spec.qualifiedName(),
                spec.commandLine().getErr(),
                System::getenv);
        IssueRequest req = subject.request(alg, password, force);
        Credential c = openCa().issue(req);
        CertificateSummary s = CertificateSummary.of(c.certificate());
        println("証明書を発行しました / issued " + subject.kind.name().toLowerCase(Locale.ROOT) + " certificate " + s.subject());
        println("  " + c.certificateFile() + ", " + c.keyFile() + " (0600), " + c.pkcs12File() + " (0600)");
        println("  有効期限 / valid until " + s.notAfter() + ", sha256 " + s.sha256());
    }
}
