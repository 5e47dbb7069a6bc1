package jp.sekisho.certs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import jp.sekisho.certs.CertKind;
import jp.sekisho.certs.CertificationRequests;
import jp.sekisho.certs.KeyAlgorithm;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.certs.StagedFiles;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import org.bouncycastle.asn1.x500.X500Name;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "request",
        mixinStandardHelpOptions = true,
        description = {
            "鍵と証明書署名要求（CSR、PKCS#10）を、その鍵を使う機械の上で作ります。"
                    + " Makes a key and a certificate signing request (PKCS#10), on the machine that will use the key.",
            "",
            "鍵を機械の外に出さない受託事業者や送信システムのためのものです。秘密鍵（PKCS#8 PEM、モード 0600、"
                    + "--passphrase-file があれば暗号化）と CSR を書きます。市へは CSR だけを送り、市が `certs sign"
                    + " --csr` で証明書を発行します。CA が CSR から使うのは公開鍵だけで、"
                    + "証明書の主体と用途は市が決めます。",
            "",
            "For a contractor or a sending system whose key must never leave its machine: writes the private key "
                    + "(PKCS#8 PEM, mode 0600, encrypted when --passphrase-file is given) and the CSR. Send only "
                    + "the CSR to the city, which issues the certificate with `certs sign --csr`. The CA takes only "
                    + "the public key from the CSR: the subject and usages of the certificate are the city's choice."
        })
final class RequestCommand implements Callable<Integer> {

    @Option(
            names = "--kind",
            required = true,
            paramLabel = "KIND",
            description = "種類: client、server または recipient（鍵の種類の既定が決まります）"
                    + " / client, server or recipient (decides the default key type).")
    CertKind kind;

    @Option(
            names = "--subject",
            required = true,
            paramLabel = "DN",
            description = "求める主体（DN。CN だけでも可） / The subject asked for, e.g."
                    + " \"CN=contractor-enc,O=Contractor K.K.\" (or a bare CN).")
    String subject;

    @Option(
            names = "--out-key",
            required = true,
            paramLabel = "KEY",
            description = "書き出す秘密鍵ファイル / The private key file to write.")
    Path outKey;

    @Option(
            names = "--out-csr",
            required = true,
            paramLabel = "CSR",
            description = "書き出す CSR ファイル（PEM） / The CSR file to write (PEM).")
    Path outCsr;

    @Option(
            names = "--key-type",
            paramLabel = "TYPE",
            description = "鍵の種類（既定は ec、recipient は rsa） / ec (P-256) or rsa (3072). Default: ec, and rsa"
                    + " for recipient certificates.")
    KeyType keyType;

    @Option(
            names = "--passphrase-file",
            paramLabel = "FILE",
            description = "鍵を暗号化するパスフレーズを 1 行目に書いたファイル（既定: 暗号化しない）"
                    + " / File whose first line encrypts the key (AES-256, PBKDF2). Default: unencrypted.")
    Path passphraseFile;

    @Option(names = "--force", description = "既存の鍵ファイルを置き換えます / Replace an existing key file.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            run();
            return ExitCode.OK;
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private void run() {
        X500Name name = CertificationRequests.subject(subject);
        if (outKey.toAbsolutePath().normalize().equals(outCsr.toAbsolutePath().normalize())) {
            throw CliException.usage("--out-key と --out-csr は別のファイルにしてください / --out-key and --out-csr must differ");
        }
        if (!force && Files.exists(outKey)) {
            throw CliException.usage(outKey + " は既にあります。鍵は上書きしません (--force で置き換え) / already exists; "
                    + "refusing to overwrite a key (use --force to replace it)");
        }
        char[] passphrase = Passphrases.read(passphraseFile);
        KeyAlgorithm alg = KeyType.algorithm(keyType, kind);
        CertificationRequests.NewRequest r = CertificationRequests.create(name, alg);
        try (StagedFiles files = new StagedFiles()) {
            files.secret(
                    outKey,
                    Pem.encodePrivateKey(r.keyPair().getPrivate(), passphrase).getBytes(StandardCharsets.US_ASCII));
            files.publicFile(outCsr, CertificationRequests.pem(r.csr()).getBytes(StandardCharsets.US_ASCII));
            files.commit();
        } catch (java.io.UncheckedIOException e) {
            throw CliException.usage(e.getMessage());
        }
        var out = spec.commandLine().getOut();
        out.println("鍵とCSRを作りました / key and CSR written: " + Printable.of(name.toString()) + " ("
                + alg.name().toLowerCase(Locale.ROOT) + ", for a " + kind.name().toLowerCase(Locale.ROOT)
                + " certificate)");
        out.println("  " + Printable.of(outKey.toString()) + " (0600" + (passphrase == null ? "" : ", encrypted")
                + "): この機械から出さないでください / keep it on this machine");
        out.println("  " + Printable.of(outCsr.toString()) + ": 市に送ってください / send this to the city "
                + "(sekisho certs sign --csr ...)");
        out.flush();
    }
}
