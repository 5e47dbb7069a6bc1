package jp.sekisho.audit.chain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import jp.sekisho.audit.AuditEvent;

/**
 * {@code hash = SHA-256(prevHash || canonical encoding)}, hex. The first event of a chain links to
 * {@link #GENESIS}. Not thread-safe: one per writer or verifier.
 */
public final class ChainHasher {

    public static final String GENESIS = "0".repeat(64);

    private final MessageDigest sha256;
    private final CanonicalEncoding.Out buffer = new CanonicalEncoding.Out();

    public ChainHasher() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public String hash(String prevHash, String nodeId, long seq, Instant time, AuditEvent event) {
        sha256.update(Hex.parse(prevHash));
        buffer.reset();
        CanonicalEncoding.encode(buffer, nodeId, seq, time, event);
        sha256.update(buffer.buf, 0, buffer.len);
        return Hex.of(sha256.digest());
    }

    /** The same hash from a precomputed {@link CanonicalEncoding#tail}: the writer's hot path. */
    public String hash(String prevHash, String nodeId, long seq, Instant time, byte[] eventTail) {
        sha256.update(Hex.parse(prevHash));
        buffer.reset();
        CanonicalEncoding.head(buffer, nodeId, seq, time);
        sha256.update(buffer.buf, 0, buffer.len);
        sha256.update(eventTail);
        return Hex.of(sha256.digest());
    }
}
