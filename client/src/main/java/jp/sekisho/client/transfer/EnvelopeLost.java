package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.envelope.SealResult;

/**
 * The envelope kept for an upload is no longer the one sealed: its bytes did not survive a crash of
 * the machine (it is not forced to disk within one boot, {@link SendState}). The send starts afresh.
 */
final class EnvelopeLost extends RuntimeException {

    private EnvelopeLost(Path envelope, String why) {
        super("the envelope " + envelope + " " + why);
    }

    /** Reads the whole file; throws when its length or SHA-256 differ from what was sealed. */
    static void check(Path envelope, SealResult sealed) {
        try {
            if (!Files.isRegularFile(envelope) || Files.size(envelope) != sealed.envelopeBytes()) {
                throw new EnvelopeLost(envelope, "is missing or of another length");
            }
            if (!FileRegion.sha256Hex(envelope).equalsIgnoreCase(sealed.envelopeSha256())) {
                throw new EnvelopeLost(envelope, "no longer has the SHA-256 it was sealed with");
            }
        } catch (IOException e) {
            throw new EnvelopeLost(envelope, "cannot be read (" + e.getMessage() + ")");
        }
    }
}
