package jp.sekisho.gateway.transfer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import jp.sekisho.envelope.EnvelopeScanner;
import jp.sekisho.envelope.Inspection;

/**
 * What the envelope check needs of an upload's bytes {@code [0, covered)}, computed as they are
 * written: their SHA-256 and an {@link EnvelopeScanner} walk, so that the last PATCH need not read
 * the whole spool file again. Only worth anything while {@code covered} is exactly the durable
 * offset: whoever cannot vouch for that drops it, and the envelope check then reads the file.
 */
final class RunningCheck {

    private final MessageDigest md;
    private final EnvelopeScanner scanner;
    private long covered;

    RunningCheck() {
        this(sha256(), new EnvelopeScanner(), 0);
    }

    private RunningCheck(MessageDigest md, EnvelopeScanner scanner, long covered) {
        this.md = md;
        this.scanner = scanner;
        this.covered = covered;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    long covered() {
        return covered;
    }

    /** Takes in the bytes {@code b} holds without moving its position. */
    void update(ByteBuffer b) {
        covered += b.remaining();
        scanner.update(b);
        md.update(b.duplicate());
    }

    /** A copy to go back to when the bytes taken in after it are cut off again. */
    RunningCheck copy() {
        try {
            return new RunningCheck((MessageDigest) md.clone(), scanner.copy(), covered);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 of this JDK cannot be cloned", e);
        }
    }

    /** The inspection of {@code [0, covered)} as a whole envelope, when the scan can vouch for it. */
    Optional<Inspection> inspection() {
        return scanner.result();
    }

    /** The hex SHA-256 of {@code [0, covered)}; the digest is used up. */
    String hex() {
        return HexFormat.of().formatHex(md.digest());
    }
}
