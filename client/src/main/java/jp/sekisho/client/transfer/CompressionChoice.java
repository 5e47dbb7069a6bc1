package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.file.Path;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.envelope.Compressibility;

/** Whether {@code send} compresses before sealing (issue 18), decided once, before anything is sent. */
final class CompressionChoice {

    private CompressionChoice() {}

    /**
     * Never for a ready envelope; {@code --compress} where the route refuses compression is refused
     * here; by default when the route allows it and the file looks compressible.
     *
     * @param asked {@code --compress} (true), {@code --no-compress} (false) or neither (null)
     */
    static boolean of(Boolean asked, boolean envelopeGiven, RouteTerms terms, Path source) throws IOException {
        if (envelopeGiven) {
            return false;
        }
        if (Boolean.TRUE.equals(asked) && !terms.compression()) {
            throw new CliException(
                    ExitCode.REFUSED,
                    "COMPRESSION_NOT_ALLOWED: 経路 " + terms.route() + " は圧縮した封筒を受け付けません (compression: false)。"
                            + "--compress を外して送ってください / route " + terms.route()
                            + " does not accept compressed envelopes (compression: false); send without --compress");
        }
        return asked != null ? asked : terms.compression() && Compressibility.looksCompressible(source);
    }
}
