package jp.sekisho.certs.cli;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
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
        description = "Prints subject, issuer, serial, validity, usages and SHA-256 fingerprint of a certificate.")
final class ShowCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "A PEM certificate file.")
    Path file;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "One JSON object per certificate.")
    boolean json;

    @Override
    public Integer call() {
        List<X509Certificate> certs;
        try {
            certs = Pem.readCertificates(file);
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        if (certs.isEmpty()) {
            throw CliException.usage(file + ": no certificate in file");
        }
        for (X509Certificate c : certs) {
            CertificateSummary s = CertificateSummary.of(c);
            spec.commandLine().getOut().println(json ? SummaryJson.of(s) : text(s));
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
