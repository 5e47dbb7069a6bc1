package jp.sekisho.envelope;

/**
 * What {@link Sealer#seal} wrote: the envelope's size and SHA-256 (hex) are what the uploader
 * declares to the gateway, which recomputes them on receipt.
 */
public record SealResult(long plaintextBytes, long envelopeBytes, String envelopeSha256) {}
