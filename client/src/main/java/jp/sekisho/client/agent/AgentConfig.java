package jp.sekisho.client.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code agent.yml} says (docs/agent.md): the gateway and the identity the agent talks to it
 * with, the outbox folders it sends from and the inbox folders it receives into. Read and checked by
 * {@link AgentConfigLoader}; every path here is absolute.
 */
public record AgentConfig(
        Path file,
        URI gateway,
        Path identity,
        Path identityPasswordFile,
        Path gatewayCa,
        String bind,
        Recipient recipient,
        List<Outbox> outboxes,
        List<Inbox> inboxes,
        Duration poll,
        Duration retryMax) {

    /** How a file in an outbox shows it is complete. */
    public enum Complete {
        /** Any file whose name does not start with '.' nor end in .tmp, .part or .done: written elsewhere, then renamed in. */
        RENAME,
        /** FILE once FILE.done exists beside it (the marker is written after the file). */
        DONE_MARKER
    }

    /** Where a file's record count comes from. */
    public enum RecordsFrom {
        /** Counted as {@code sekisho send} counts a CSV (its header checked against the approval). */
        CSV,
        /** The first line of FILE.done, a number (needs {@code complete: done-marker}). */
        DONE_MARKER
    }

    /**
     * One outbox: every complete file in {@code folder} is sent on {@code route}, in upload requests
     * of {@code chunkSize} bytes (each made durable by the gateway before it answers).
     */
    public record Outbox(
            String route, Path folder, Complete complete, RecordsFrom recordsFrom, Path itemsMap, long chunkSize) {}

    /** One inbox: what arrives on {@code route} is written into {@code folder}. */
    public record Inbox(String route, Path folder) {}

    /** The receiver's decryption key (PKCS#8 PEM), its certificate (optional) and the senders' CA. */
    public record Recipient(Path key, Path keyPasswordFile, Path cert, Path trust) {}
}
