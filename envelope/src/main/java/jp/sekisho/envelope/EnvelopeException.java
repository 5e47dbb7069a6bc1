package jp.sekisho.envelope;

/**
 * An envelope that cannot be opened, with a stable reason code that the CLI prints and callers
 * can switch on. Never carries plaintext.
 */
public final class EnvelopeException extends RuntimeException {

    /** Why an envelope was refused; the names are part of the CLI's contract. */
    public enum Reason {
        /** None of the envelope's recipients is this key/certificate. */
        NOT_FOR_THIS_RECIPIENT,
        /** The GCM tag did not match: the ciphertext (or tag) was altered. */
        TAG_MISMATCH,
        /** The inner signature does not verify, or the inner content is not a signed file. */
        SIGNATURE_INVALID,
        /** The signature verifies but its certificate does not chain to the trust anchors. */
        SIGNER_UNTRUSTED,
        /** Not a CMS envelope at all (or a truncated/malformed one). */
        NOT_CMS,
        /** Encrypted with a cipher we do not accept (3DES, AES-128, ...). */
        WEAK_CIPHER,
        /**
         * A CMS envelope outside the profile Sekisho and OpenSSL write (unauthenticated attributes, a
         * GCM ICV that is not 16 bytes, a field over its bound): the gateway's code for the same refusal.
         */
        PAYLOAD_MALFORMED,
        /** A compressed envelope whose content inflates past the bound ({@code open --max-inflated}): a likely bomb. */
        INFLATED_TOO_LARGE,
        /** CompressedData with an algorithm other than zlib (RFC 3274's only one). */
        COMPRESSION_UNSUPPORTED
    }

    private final Reason reason;

    public EnvelopeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EnvelopeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** One line for logs and stderr: {@code REASON: message}. */
    public String line() {
        return reason + ": " + getMessage();
    }
}
