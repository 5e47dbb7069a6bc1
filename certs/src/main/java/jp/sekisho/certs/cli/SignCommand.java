package jp.sekisho.certs.cli;

import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.CertificationRequests;
import jp.sekisho.certs.IssueRequest;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.cli.Printable;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "sign",
        mixinStandardHelpOptions = true,
        description = {
            "持ち主が `certs request` で作った CSR から証明書を発行します（鍵は持ち主の手元に残ります）。"
                    + " Issues a certificate from a CSR made with `certs request`; the key stays with its owner.",
            "",
            "CSR が自分の鍵で署名されていること、鍵が RSA 2048〜8192 ビットか EC P-256/P-384 であることを確かめ、"
                    + "DIR/NAME.pem を書きます（鍵も .p12 も作りません）。CSR から使うのは公開鍵だけです。主体は"
                    + " CN=NAME（と --org/--unit）、用途は --kind のとおりで `certs issue` と同じです。CSR"
                    + " が求める拡張は無視します。",
            "",
            "Checks that the CSR is signed by its own key and that the key is RSA of 2048 to 8192 bits or EC on "
                    + "P-256 or P-384, then writes DIR/NAME.pem (no key, no .p12). Only the public key is taken from "
                    + "the CSR: the subject is CN=NAME with --org/--unit, and the usages are those of --kind, "
                    + "exactly as `certs issue` sets them (see its --help); extensions the CSR asks for are ignored.",
        })
final class SignCommand extends PkiCommand {

    @Option(
            names = "--csr",
            required = true,
            paramLabel = "FILE",
            description = "証明書署名要求（CSR。PEM または DER、64 KiB まで） / The CSR (PEM or DER, at most 64 KiB).")
    Path csr;

    @Mixin
    SubjectOptions subject;

    @Option(names = "--force", description = "同じ名前の既存の証明書を置き換えます / Replace an existing certificate of the same name.")
    boolean force;

    @Override
    void run() {
        PKCS10CertificationRequest request = CertificationRequests.read(csr);
        PublicKey key = CertificationRequests.checkedKey(request, csr);
        // KeyAlgorithm here only tells RSA from EC, which decides keyEncipherment or keyAgreement.
        IssueRequest req = subject.request(KeyAlgorithm.of(key), null, force);
        var ca = openCa();
        X509Certificate cert = ca.issueFor(req, key);
        CertificateSummary s = CertificateSummary.of(cert);
        println("CSRから発行しました / issued from the CSR: " + subject.kind.name().toLowerCase(Locale.ROOT) + " certificate "
                + Printable.of(s.subject()));
        println("  CSRの subject (参考) / the CSR asked for: "
                + Printable.of(request.getSubject().toString()));
        println("  " + dir.resolve(subject.name + ".pem") + ": 申請者に返してください / send it back to the requester");
        println("  有効期限 / valid until " + CrlText.when(s.notAfter()) + ", sha256 " + s.sha256());
    }
}
