package jp.sekisho.audit.chain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signed statement "node {@code nodeId}'s chain had reached event {@code seq} with hash
 * {@code hash} at {@code time}". Seals everything before it: rewriting the chain would need the key.
 */
public record Checkpoint(
        String nodeId, long seq, Instant time, String hash, String keyId, String algorithm, String signature) {

    /** The bytes that are signed. */
    public static byte[] signedBytes(String nodeId, long seq, Instant time, String hash) {
        return ("sekisho-audit-checkpoint-v1\n" + nodeId + "\n" + seq + "\n" + hash + "\n"
                        + CanonicalEncoding.micros(time))
                .getBytes(StandardCharsets.UTF_8);
    }

    public byte[] signedBytes() {
        return signedBytes(nodeId, seq, time, hash);
    }
}
