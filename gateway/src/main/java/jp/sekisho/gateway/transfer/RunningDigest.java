package jp.sekisho.gateway.transfer;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The SHA-256 of an upload's bytes {@code [0, covered)}, computed as they are written, so that the
 * last PATCH need not read the whole spool file again to hash it. Only worth anything while
 * {@code covered} is exactly the durable offset: whoever cannot vouch for that drops it, and the
 * envelope check then hashes the file itself.
 */
final class RunningDigest {

    private final MessageDigest md;
    private long covered;

    RunningDigest() {
        this(TransferService.sha256(), 0);
    }

    private RunningDigest(MessageDigest md, long covered) {
        this.md = md;
        this.covered = covered;
    }

    long covered() {
        return covered;
    }

    /** Hashes the bytes {@code b} holds without moving its position. */
    void update(ByteBuffer b) {
        covered += b.remaining();
        md.update(b.duplicate());
    }

    /** A copy to go back to when the bytes hashed after it are cut off again. */
    RunningDigest copy() {
        try {
            return new RunningDigest((MessageDigest) md.clone(), covered);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 of this JDK cannot be cloned", e);
        }
    }

    /** The hex SHA-256 of {@code [0, covered)}; the digest is used up. */
    String hex() {
        return HexFormat.of().formatHex(md.digest());
    }
}
