package jp.sekisho.certs.cli;

import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import picocli.CommandLine.Option;

/**
 * What the city decides about a certificate it issues, whoever made the key: its kind (and so its
 * usages), subject, alternative names and validity. Shared by {@code certs issue} and {@code certs sign}.
 */
final class SubjectOptions {

    @Option(
            names = "--kind",
            required = true,
            paramLabel = "KIND",
            description = "種類: client、server または recipient / client, server or recipient.")
    CertKind kind;

    @Option(
            names = "--name",
            required = true,
            paramLabel = "NAME",
            description = "主体の CN とファイル名 / Subject CN and file name (DIR/NAME.pem; `certs revoke --name NAME` later).")
    String name;

    @Option(names = "--org", paramLabel = "O", description = "主体の組織（O） / Subject organisation. Default: the CA's.")
    String org;

    @Option(names = "--unit", paramLabel = "OU", description = "主体の部署（OU） / Subject organisational unit (department).")
    String unit;

    @Option(
            names = "--dns",
            paramLabel = "NAME",
            split = ",",
            description = "証明書の別名（SAN）にする DNS 名（繰り返し可） / DNS subject alternative names (repeatable).")
    List<String> dns = new ArrayList<>();

    @Option(
            names = "--ip",
            paramLabel = "ADDR",
            split = ",",
            description = "証明書の別名（SAN）にする IP アドレス（繰り返し可） / IP subject alternative names (repeatable).")
    List<String> ips = new ArrayList<>();

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "397",
            description = "有効日数（CA の期限が上限） / Validity in days (capped at the CA's). Default: ${DEFAULT-VALUE}.")
    int days;

    IssueRequest request(KeyAlgorithm alg, char[] p12Password, boolean force) {
        return new IssueRequest(name, kind, org, unit, dns, ips, days, alg, p12Password, force);
    }
}
