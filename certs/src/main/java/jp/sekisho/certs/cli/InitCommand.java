package jp.sekisho.certs.cli;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.InitRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {
            "認証局（CA）とゲートウェイのサーバー証明書を作ります。 Creates a CA and the gateway's server certificate.",
            "",
            "DIR/ca.pem、DIR/ca.key、空の DIR/crl.pem と、localhost と 127.0.0.1（または --dns/--ip の名前）用の"
                    + " DIR/gateway.pem、gateway.key、gateway.p12 を書きます。DIR にすでに CA があるときは、--force"
                    + " がなければ何も変えずに拒否します。",
            "",
            "Writes DIR/ca.pem, DIR/ca.key, an empty DIR/crl.pem, and DIR/gateway.pem, gateway.key, gateway.p12 "
                    + "for localhost and 127.0.0.1 (or the names given with --dns/--ip). Refuses, changing nothing, "
                    + "when DIR already holds a CA, unless --force."
        })
final class InitCommand extends PkiCommand {

    @Option(
            names = "--org",
            paramLabel = "NAME",
            defaultValue = InitRequest.DEFAULT_ORG,
            description = "認証局（CA）の組織名（O）。発行する証明書の O の既定にもなります"
                    + " / Organisation (O) of the CA and default O of issued certificates. Default: ${DEFAULT-VALUE}.")
    String org;

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "3650",
            description = "認証局（CA）の有効日数 / CA validity in days. Default: ${DEFAULT-VALUE}.")
    int days;

    @Option(
            names = "--dns",
            paramLabel = "NAME",
            split = ",",
            description = "ゲートウェイ証明書の DNS 名（繰り返し可） / DNS names of the gateway certificate (repeatable)."
                    + " Default: localhost.")
    List<String> dns = new ArrayList<>();

    @Option(
            names = "--ip",
            paramLabel = "ADDR",
            split = ",",
            description = "ゲートウェイ証明書の IP アドレス（繰り返し可） / IP addresses of the gateway certificate"
                    + " (repeatable). Default: 127.0.0.1.")
    List<String> ips = new ArrayList<>();

    @Option(names = "--force", description = "既存の CA と鍵を置き換えます / Replace an existing CA and its keys.")
    boolean force;

    @Override
    void run() {
        List<String> d = dns.isEmpty() && ips.isEmpty() ? List.of("localhost") : dns;
        List<String> i = dns.isEmpty() && ips.isEmpty() ? List.of("127.0.0.1") : ips;
        CertificateAuthority ca = CertificateAuthority.init(
                new InitRequest(dir, org, days, d, i, Passphrases.read(passphraseFile), force), Clock.systemUTC());
        println("CA を作成しました / CA created in " + dir + ": "
                + ca.certificate().getSubjectX500Principal().getName());
        println("  ca.pem, ca.key (0600), crl.pem, gateway.pem/.key/.p12 (SAN " + String.join(", ", d)
                + (i.isEmpty() ? "" : ", " + String.join(", ", i)) + ")");
    }
}
