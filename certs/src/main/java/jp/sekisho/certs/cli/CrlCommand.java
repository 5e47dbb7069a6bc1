package jp.sekisho.certs.cli;

import java.security.cert.X509CRL;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "crl",
        mixinStandardHelpOptions = true,
        description = {
            "Re-signs the CRL with a new nextUpdate.",
            "",
            "Keeps every entry of DIR/crl.pem. Run it before the old CRL's nextUpdate: the gateway refuses "
                    + "every client once its CRL is out of date (fail closed)."
        })
final class CrlCommand extends PkiCommand {

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "30",
            description = "Days until nextUpdate. Default: ${DEFAULT-VALUE}.")
    int days;

    @Override
    void run() {
        var ca = openCa();
        ca.setCrlValidity(Duration.ofDays(days));
        X509CRL crl = ca.resignCrl();
        int n = crl.getRevokedCertificates() == null
                ? 0
                : crl.getRevokedCertificates().size();
        println(dir.resolve("crl.pem") + " re-signed: " + n + " revoked, next update "
                + crl.getNextUpdate().toInstant());
    }
}
