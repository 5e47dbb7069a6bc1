package jp.sekisho.certs.cli;

import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.Callable;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.CrlSummary;
import jp.sekisho.certs.PkiException;
import jp.sekisho.certs.PkiObjects;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = {
            "証明書と CRL の内容を表示します。 Prints certificates and CRLs.",
            "",
            "証明書は主体、発行者、シリアル番号、有効期間、用途、SHA-256 フィンガープリント。CRL は発行者、CRL 番号、"
                    + "発行日時と次回更新（JST、和暦付き）、失効したシリアル番号とその日時・理由。"
                    + "PEM（ブロックはいくつでも）または DER（証明書か CRL 一つ）を読みます。",
            "",
            "A certificate: subject, issuer, serial, validity, usages and SHA-256 fingerprint. A CRL: issuer, CRL "
                    + "number, this and next update (JST, with the era) and the revoked serials with their dates and "
                    + "reasons. PEM (any number of blocks) or DER (one certificate or CRL)."
        })
final class ShowCommand implements Callable<Integer> {

    @Parameters(
            paramLabel = "FILE",
            description = "証明書または CRL のファイル（PEM または DER） / A certificate or CRL file, PEM or DER.")
    Path file;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--json",
            description = "証明書・CRL ごとに JSON オブジェクトを 1 つ表示"
                    + " / One JSON object per certificate or CRL (a CRL's has \"type\":\"crl\").")
    boolean json;

    @Override
    public Integer call() {
        PkiObjects found;
        try {
            found = PkiObjects.read(file);
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        if (found.isEmpty()) {
            throw CliException.usage(file + ": 証明書もCRLもありません / no certificate or CRL in file");
        }
        for (X509Certificate c : found.certificates()) {
            CertificateSummary s = CertificateSummary.of(c);
            spec.commandLine().getOut().println(json ? SummaryJson.of(s) : text(s));
        }
        Instant now = Instant.now();
        for (X509CRL crl : found.crls()) {
            CrlSummary s = CrlSummary.of(crl);
            spec.commandLine().getOut().println(json ? CrlText.json(s) : CrlText.text(s, now));
        }
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }

    private static String text(CertificateSummary s) {
        return String.join(
                "\n",
                "subject:      " + s.subject(),
                "issuer:       " + s.issuer(),
                "serial:       " + s.serial(),
                "not before:   " + s.notBefore(),
                "not after:    " + s.notAfter(),
                "key:          " + s.keyAlgorithm() + (s.ca() ? " (CA)" : ""),
                "key usage:    " + String.join(", ", s.keyUsage()),
                "ext. usage:   " + String.join(", ", s.extendedKeyUsage()),
                "alt. names:   " + String.join(", ", s.subjectAltNames()),
                "sha256:       " + s.sha256());
    }
}
