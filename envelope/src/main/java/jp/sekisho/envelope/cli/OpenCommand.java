package jp.sekisho.envelope.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.envelope.Compression;
import jp.sekisho.envelope.EnvelopeException;
import jp.sekisho.envelope.OpenResult;
import jp.sekisho.envelope.Opener;
import jp.sekisho.envelope.TrustAnchors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sekisho open}: decrypt an envelope with the receiver's key and verify the sender's
 * signature; the output file appears only when both checks passed.
 */
@Command(
        name = "open",
        mixinStandardHelpOptions = true,
        description = "封筒を復号して署名を検証し、両方成功したときだけファイルを書きます。"
                + " Decrypt an envelope and verify its signature; writes the file only if both succeed.")
public final class OpenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE.cms", description = "開ける封筒 / the envelope")
    Path in;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "検証したファイルの書き出し先 / where to write the verified file")
    Path out;

    @Mixin
    RecipientOptions recipient;

    @Option(
            names = "--max-inflated",
            paramLabel = "SIZE",
            converter = SizeOption.class,
            description = "圧縮した封筒の展開後の上限（超えると何も書かずに拒否）"
                    + " / a compressed envelope whose content inflates past SIZE is refused (INFLATED_TOO_LARGE),"
                    + " nothing written; e.g. 100GiB (default: 64GiB)")
    long maxInflated = Compression.DEFAULT_MAX_INFLATED;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(in)) {
            throw CliException.usage(in + ": no such file");
        }
        OpenResult result;
        try {
            result = Opener.open(
                    in,
                    out,
                    recipient.key,
                    recipient.keyPassword(),
                    recipient.cert,
                    TrustAnchors.fromPem(recipient.trust),
                    maxInflated);
        } catch (EnvelopeException e) {
            throw new CliException(ExitCode.REFUSED, e.line());
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        } catch (UncheckedIOException e) {
            throw CliException.usage("封筒を開けません（読み書きの失敗）。 cannot open " + in + ": "
                    + e.getCause().getMessage() + ". 次に: ファイルの場所、権限、空き容量を確認してください。 next: check the"
                    + " paths, permissions and free space.");
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("opened %s -> %s (%s)%n", in, out, result.cipher().displayName());
        w.printf("signer: %s%n", result.signerSummary().subject());
        w.printf("signer sha256: %s%n", result.signerSummary().sha256());
        w.printf("bytes: %d%n", result.bytes());
        w.printf("sha256: %s%n", result.plaintextSha256());
        w.flush();
        return ExitCode.OK;
    }
}
