package jp.sekisho.certs.cli;

import java.security.cert.X509CRL;
import jp.sekisho.certs.RevocationReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description = {
            "証明書を失効させ、CRL を再署名します。 Revokes a certificate and re-signs the CRL.",
            "",
            "DIR/NAME.pem のシリアル番号を、新たに署名した DIR/crl.pem（CRL 番号 + 1）に加えます。新しい CRL は --days"
                    + " がなければ今の CRL の有効期間を引き継ぎます。稼働中のゲートウェイは CRL"
                    + " ファイルを自分で読み直します。",
            "",
            "Adds the serial of DIR/NAME.pem to a freshly signed DIR/crl.pem (CRL number + 1). "
                    + "The new CRL keeps the current one's validity period (nextUpdate minus thisUpdate) unless "
                    + "--days is given. A running gateway reloads the CRL file by itself."
        })
final class RevokeCommand extends PkiCommand {

    @Option(
            names = "--name",
            required = true,
            paramLabel = "NAME",
            description = "発行時（certs issue）に付けた名前 / Name given to certs issue.")
    String name;

    @Option(
            names = "--reason",
            paramLabel = "REASON",
            defaultValue = "unspecified",
            description = "失効の理由 / One of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    RevocationReason reason;

    @Option(
            names = "--days",
            paramLabel = "N",
            description = "新しい CRL の次回更新（nextUpdate）までの日数、1〜" + CrlDays.MAX + " / Days until the new"
                    + " CRL's nextUpdate, 1 to " + CrlDays.MAX + ". Default: the current CRL's period.")
    Integer days;

    @Override
    void run() {
        var ca = openCa();
        ca.setCrlValidity(CrlDays.of(days));
        X509CRL crl = ca.revoke(name, reason);
        if (crl == null) {
            println(name + " was already revoked; " + dir.resolve("crl.pem") + " unchanged");
        } else {
            println("revoked " + name + " (" + reason + "); " + dir.resolve("crl.pem") + " next update / 次回更新 "
                    + CrlText.when(crl.getNextUpdate().toInstant()));
        }
    }
}
