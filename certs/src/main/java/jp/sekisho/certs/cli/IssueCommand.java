package jp.sekisho.certs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "issue",
        mixinStandardHelpOptions = true,
        description = {
            "Issues a client, server or recipient certificate.",
            "",
            "Writes DIR/NAME.pem, DIR/NAME.key (0600) and DIR/NAME.p12 (certificate, key and CA; 0600).",
            "",
            "Kinds:",
            "  client     a TLS client (system or person): digitalSignature; clientAuth and emailProtection",
            "             (senders sign CMS payloads, which openssl cms -verify checks as S/MIME signing)",
            "  server     a TLS server: serverAuth, with the --dns/--ip names",
            "  recipient  a contractor's CMS encryption certificate: keyEncipherment (RSA) or keyAgreement",
            "             (EC), no TLS usage"
        })
final class IssueCommand extends PkiCommand {

    @Option(names = "--kind", required = true, paramLabel = "KIND", description = "client, server or recipient.")
    CertKind kind;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Subject CN and file name.")
    String name;

    @Option(names = "--org", paramLabel = "O", description = "Subject organisation. Default: the CA's.")
    String org;

    @Option(names = "--unit", paramLabel = "OU", description = "Subject organisational unit (department).")
    String unit;

    @Option(
            names = "--dns",
            paramLabel = "NAME",
            split = ",",
            description = "DNS subject alternative names (repeatable).")
    List<String> dns = new ArrayList<>();

    @Option(
            names = "--ip",
            paramLabel = "ADDR",
            split = ",",
            description = "IP subject alternative names (repeatable).")
    List<String> ips = new ArrayList<>();

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "397",
            description = "Validity in days (capped at the CA's). Default: ${DEFAULT-VALUE}.")
    int days;

    @Option(
            names = "--key-type",
            paramLabel = "TYPE",
            description = "ec (P-256) or rsa (3072). Default: ec, and rsa for recipient certificates.")
    KeyType keyType;

    @Option(
            names = "--p12-password",
            paramLabel = "PASSWORD",
            defaultValue = "",
            description = "Password of the .p12 file. Default: empty.")
    String p12Password;

    @Option(names = "--force", description = "Replace an existing key of the same name.")
    boolean force;

    @Override
    void run() {
        KeyAlgorithm alg = KeyType.algorithm(keyType, kind);
        IssueRequest req =
                new IssueRequest(name, kind, org, unit, dns, ips, days, alg, p12Password.toCharArray(), force);
        Credential c = openCa().issue(req);
        CertificateSummary s = CertificateSummary.of(c.certificate());
        println("issued " + kind.name().toLowerCase(Locale.ROOT) + " certificate " + s.subject());
        println("  " + c.certificateFile() + ", " + c.keyFile() + " (0600), " + c.pkcs12File() + " (0600)");
        println("  valid until " + s.notAfter() + ", sha256 " + s.sha256());
    }
}
