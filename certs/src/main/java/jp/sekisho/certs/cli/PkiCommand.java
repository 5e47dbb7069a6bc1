package jp.sekisho.certs.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import jp.sekisho.certs.CertificateAuthority;
import jp.sekisho.certs.PkiException;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Shared options of the commands that work on a CA folder; turns PKI errors into exit code 2. */
abstract class PkiCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            required = true,
            paramLabel = "DIR",
            description = "認証局（CA）のフォルダ（ca.pem、ca.key、crl.pem、発行したファイル）"
                    + " / The CA folder (ca.pem, ca.key, crl.pem, issued files).")
    Path dir;

    @Option(
            names = "--passphrase-file",
            paramLabel = "FILE",
            description = "認証局（CA）の鍵のパスフレーズを 1 行目に書いたファイル（鍵を保護している場合）"
                    + " / File whose first line is the CA key's passphrase (when the key is protected).")
    Path passphraseFile;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            run();
            return ExitCode.OK;
        } catch (PkiException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    abstract void run();

    void println(String line) {
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
    }

    CertificateAuthority openCa() {
        return CertificateAuthority.open(dir, Passphrases.read(passphraseFile), Clock.systemUTC());
    }
}
