package jp.sekisho.envelope;

/** What a CMS ContentInfo holds, as far as the gateway cares. */
public enum EnvelopeKind {
    /** AuthEnvelopedData (RFC 5083), e.g. AES-GCM: encrypted and integrity-protected. */
    AUTH_ENVELOPED,
    /** EnvelopedData (RFC 5652), e.g. AES-CBC: encrypted only. */
    ENVELOPED,
    /** SignedData: signed but readable by anyone. */
    SIGNED,
    /** Anything else: another CMS type, or not CMS at all. */
    OTHER
}
