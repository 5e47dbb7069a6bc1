package jp.sekisho.audit.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How this node writes its audit chain.
 *
 * @param nodeId            names the node's hash chain; one writer process per node id at a time is expected,
 *                          though concurrent writers stay consistent (they serialise on an advisory lock)
 * @param signingKey        the Ed25519 private key (PEM); the public key sits beside it as {@code *.pub.pem}
 * @param checkpointEvery   sign a checkpoint after this many events ...
 * @param checkpointInterval ... or after this long, whichever comes first
 * @param queueCapacity     bound of the in-memory queue for {@code record()} and {@code commit()}
 * @param writeTimeout      how long the writer may be on one batch without committing it before the store
 *                          counts as stalled and writes are refused with AUDIT_UNAVAILABLE; writes wait as
 *                          long as batches keep committing (see {@code PostgresAuditLog})
 * @param maxBatch          most events written in one transaction
 */
public record AuditSettings(
        String nodeId,
        Path signingKey,
        int checkpointEvery,
        Duration checkpointInterval,
        int queueCapacity,
        Duration writeTimeout,
        int maxBatch) {

    public AuditSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(signingKey, "signingKey");
        if (nodeId.isBlank() || nodeId.length() > 64) {
            throw new IllegalArgumentException("node-id must be 1..64 characters");
        }
        if (checkpointEvery < 1 || queueCapacity < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("checkpoint-every, queue-capacity and batch size must be positive");
        }
    }

    public static AuditSettings defaults(String nodeId, Path dataDir) {
        return new AuditSettings(
                nodeId,
                dataDir.resolve("audit-signing.key"),
                1000,
                Duration.ofSeconds(10),
                10_000,
                StoreConfig.DEFAULT_TIMEOUT,
                2000);
    }

    public AuditSettings withCheckpoints(int every, Duration interval) {
        return new AuditSettings(nodeId, signingKey, every, interval, queueCapacity, writeTimeout, maxBatch);
    }

    public AuditSettings withQueueCapacity(int capacity) {
        return new AuditSettings(
                nodeId, signingKey, checkpointEvery, checkpointInterval, capacity, writeTimeout, maxBatch);
    }

    public AuditSettings withWriteTimeout(Duration t) {
        return new AuditSettings(nodeId, signingKey, checkpointEvery, checkpointInterval, queueCapacity, t, maxBatch);
    }
}
