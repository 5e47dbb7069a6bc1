package jp.sekisho.certs.cli;

import java.security.cert.X509CRL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "crl",
        mixinStandardHelpOptions = true,
        description = {
            "失効リスト（CRL）を新しい次回更新日時（nextUpdate）で再署名します。 Re-signs the CRL with a new nextUpdate.",
            "",
            "DIR/crl.pem の項目をすべて保ち、--days がなければ有効期間（nextUpdate − thisUpdate。ない CRL は 30 日）"
                    + "も引き継ぎます。古い CRL の nextUpdate より前に実行してください（毎日のタイマーなど）。CRL"
                    + " の期限が切れるとゲートウェイはすべてのクライアントを拒否し（失敗時に閉じる）、7"
                    + " 日前からログで警告します。",
            "",
            "Keeps every entry of DIR/crl.pem and, unless --days is given, its validity period (nextUpdate "
                    + "minus thisUpdate; 30 days for a CRL without one). Run it before the old CRL's nextUpdate "
                    + "(a daily timer): the gateway refuses every client once its CRL is out of date (fail closed), "
                    + "and warns in its log from 7 days before."
        })
final class CrlCommand extends PkiCommand {

    @Option(
            names = "--days",
            paramLabel = "N",
            description = "次回更新（nextUpdate）までの日数、1〜" + CrlDays.MAX + "（0 は停止になるため拒否）"
                    + " / Days until nextUpdate, 1 to " + CrlDays.MAX + " (0 is refused: it is an outage). Default:"
                    + " the current CRL's period.")
    Integer days;

    @Override
    void run() {
        var ca = openCa();
        ca.setCrlValidity(CrlDays.of(days));
        X509CRL crl = ca.resignCrl();
        int n = crl.getRevokedCertificates() == null
                ? 0
                : crl.getRevokedCertificates().size();
        println(dir.resolve("crl.pem") + " re-signed: " + n + " revoked, next update / 次回更新 "
                + CrlText.when(crl.getNextUpdate().toInstant()));
    }
}
