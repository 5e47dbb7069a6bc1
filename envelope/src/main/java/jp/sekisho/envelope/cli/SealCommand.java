package jp.sekisho.envelope.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jp.sekisho.certs.Identities;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.PasswordSource;
import jp.sekisho.envelope.Compressibility;
import jp.sekisho.envelope.Compression;
import jp.sekisho.envelope.ContentCipher;
import jp.sekisho.envelope.SealResult;
import jp.sekisho.envelope.Sealer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sekisho seal}: sign a file with the sender's identity and encrypt it for the recipient certificate(s). */
@Command(
        name = "seal",
        mixinStandardHelpOptions = true,
        description = "ファイルに署名し、経路の宛先証明書あてに暗号化して封筒にします（CMS、AES-256-GCM）。"
                + " Sign a file and encrypt it for the route's recipient certificate(s) (CMS, AES-256-GCM).")
public final class SealCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "送るファイル / the file to send")
    Path in;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE.cms",
            description = "書き出す封筒（DER） / the envelope to write (DER)")
    Path out;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "RECIPIENT.pem",
            description = "宛先証明書（宛先ごとに繰り返す） / recipient certificate (repeat for each recipient)")
    List<Path> to = new ArrayList<>();

    @Option(
            names = "--identity",
            required = true,
            paramLabel = "SENDER.p12|SENDER.pem",
            description = "署名に使う証明書と鍵（PKCS#12、または隣に SENDER.key を置いた PEM 証明書）"
                    + " / signing identity: PKCS#12, or a PEM certificate with SENDER.key beside it")
    Path identity;

    static final PasswordSource PASSWORD =
            new PasswordSource("--password-file", "--password-env", "--identity-password", "SEKISHO_IDENTITY_PASSWORD");

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "そのパスワードを 1 行目に書いたファイル / file whose first line is that password")
    Path passwordFile;

    @Option(
            names = "--password-env",
            paramLabel = "NAME",
            description = "そのパスワードを入れた環境変数 / environment variable holding that password (default:"
                    + " SEKISHO_IDENTITY_PASSWORD if set, else empty)")
    String passwordEnv;

    @Option(
            names = "--identity-password",
            paramLabel = "P",
            description = "コマンド行で渡すパスワード（ps で見えます） / password of the PKCS#12 or key on the command"
                    + " line: visible in ps; prefer --password-file or --password-env")
    String identityPassword;

    @Option(
            names = "--cbc",
            description = "暗号方式を GCM でなく CBC にします（OpenSSL 3.0 より前の受信先向け）"
                    + " / AES-256-CBC EnvelopedData, for receivers whose OpenSSL is older than 3.0")
    boolean cbc;

    @Option(
            names = "--compress",
            negatable = true,
            description = "暗号化の前に圧縮します。--no-compress は標準の openssl で開く受信先向け"
                    + " / compress (zlib, RFC 3274) before encrypting; --no-compress for a receiver who opens with"
                    + " stock openssl (Debian's has no zlib). Default: compress when the file looks compressible")
    Boolean compress;

    @Override
    public Integer call() {
        Identity signer;
        List<X509Certificate> recipients = new ArrayList<>();
        try {
            signer = Identities.load(
                    identity,
                    PASSWORD.read(
                            passwordFile,
                            passwordEnv,
                            identityPassword,
                            spec.qualifiedName(),
                            spec.commandLine().getErr(),
                            System::getenv));
            for (Path p : to) {
                recipients.add(Pem.readCertificate(p));
            }
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
        Path target = out.toAbsolutePath();
        Path temp = null;
        SealResult result;
        boolean compressing;
        try (InputStream plain = Files.newInputStream(in)) {
            compressing = compress != null ? compress : Compressibility.looksCompressible(in);
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
            try (OutputStream envelope = Files.newOutputStream(temp)) {
                result = Sealer.seal(
                        plain,
                        envelope,
                        signer,
                        recipients,
                        cbc ? ContentCipher.AES_256_CBC : ContentCipher.AES_256_GCM,
                        compressing ? Compression.DEFAULT_LEVEL : Compression.NONE);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (NoSuchFileException e) {
            throw CliException.usage("ファイルがありません / no such file: " + e.getFile());
        } catch (IOException | UncheckedIOException e) {
            throw CliException.usage("封筒を作れません（読み書きの失敗）。 cannot seal " + in + ": " + e.getMessage()
                    + ". 次に: ファイルの場所、権限、空き容量を確認してください。 next: check the paths, permissions and"
                    + " free space.");
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        } finally {
            deleteQuietly(temp);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
                "sealed %s -> %s (%s)%n",
                in, out, cbc ? ContentCipher.AES_256_CBC.displayName() : ContentCipher.AES_256_GCM.displayName());
        w.printf("compressed: %s%n", compressing ? "zlib" : "no");
        w.printf("plaintext bytes: %d%n", result.plaintextBytes());
        w.printf("envelope bytes: %d%n", result.envelopeBytes());
        w.printf("envelope sha256: %s%n", result.envelopeSha256());
        w.flush();
        return ExitCode.OK;
    }

    static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover .part file is harmless and visibly named
            }
        }
    }
}
