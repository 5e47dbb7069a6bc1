package jp.sekisho.envelope;

/** Why the gateway refuses a payload; the names are the stable reason codes of audit events. */
public enum PayloadRefusal {
    /** Plain file, SignedData only, another CMS type, or garbage/truncated. */
    PAYLOAD_NOT_ENCRYPTED,
    /** Encrypted, but not with AES-256-GCM (or AES-256-CBC where the route allows it). */
    PAYLOAD_WEAK_CIPHER,
    /** The recipient set is not exactly the route's registered certificates. */
    PAYLOAD_WRONG_RECIPIENT,
    /**
     * A CMS envelope outside the profile Sekisho and OpenSSL produce: unauthenticated attributes, a
     * GCM ICV that is not 16 bytes, or a field over its bound.
     */
    PAYLOAD_MALFORMED,
    /** CompressedData inside the envelope on a route whose receiver opens envelopes with stock tools. */
    COMPRESSION_NOT_ALLOWED
}
