package jp.sekisho.envelope;

import java.util.List;

/**
 * What an envelope declares about itself, read without keys: its kind, content cipher, recipients
 * and the size of the encrypted content. {@code complete} is false when the structure ended early
 * or was malformed ({@code problem} says where); {@code contentCipherName} is the OID when unknown
 * and {@code keyBits} 0 then. {@code outsideProfile} says why an envelope is outside
 * {@link EnvelopeProfile the accepted profile} (unauthenticated attributes, a short GCM tag, a field
 * over its bound...), null when it is not. {@code encryptedContentTypeOid} is the
 * EncryptedContentInfo's content type (id-data, or id-ct-compressedData for a compressed envelope),
 * null when the header was not read that far.
 */
public record Inspection(
        EnvelopeKind kind,
        String contentTypeOid,
        String contentCipherOid,
        String contentCipherName,
        int keyBits,
        List<EnvelopeRecipient> recipients,
        long encryptedContentBytes,
        boolean contentPresent,
        boolean complete,
        String problem,
        String outsideProfile,
        String encryptedContentTypeOid) {

    /** The {@code problem} of an inspection that read the header only ({@link EnvelopeInspector#inspectHeader}). */
    public static final String HEADER_ONLY = "header only";

    public Inspection {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** An inspection that does not say what the encrypted content is (taken as id-data). */
    public Inspection(
            EnvelopeKind kind,
            String contentTypeOid,
            String contentCipherOid,
            String contentCipherName,
            int keyBits,
            List<EnvelopeRecipient> recipients,
            long encryptedContentBytes,
            boolean contentPresent,
            boolean complete,
            String problem,
            String outsideProfile) {
        this(
                kind,
                contentTypeOid,
                contentCipherOid,
                contentCipherName,
                keyBits,
                recipients,
                encryptedContentBytes,
                contentPresent,
                complete,
                problem,
                outsideProfile,
                null);
    }

    /** An inspection with nothing outside the profile. */
    public Inspection(
            EnvelopeKind kind,
            String contentTypeOid,
            String contentCipherOid,
            String contentCipherName,
            int keyBits,
            List<EnvelopeRecipient> recipients,
            long encryptedContentBytes,
            boolean contentPresent,
            boolean complete,
            String problem) {
        this(
                kind,
                contentTypeOid,
                contentCipherOid,
                contentCipherName,
                keyBits,
                recipients,
                encryptedContentBytes,
                contentPresent,
                complete,
                problem,
                null);
    }

    static Inspection notCms(String contentTypeOid, EnvelopeKind kind, String problem) {
        return new Inspection(kind, contentTypeOid, null, null, 0, List.of(), 0, false, problem == null, problem);
    }

    /** This inspection, found outside the profile for {@code why} (the first reason found is kept). */
    Inspection outside(String why) {
        return outsideProfile != null || why == null
                ? this
                : new Inspection(
                        kind,
                        contentTypeOid,
                        contentCipherOid,
                        contentCipherName,
                        keyBits,
                        recipients,
                        encryptedContentBytes,
                        contentPresent,
                        complete,
                        problem,
                        why,
                        encryptedContentTypeOid);
    }

    /** This inspection with the kind the ContentInfo declared, when the parser stopped before it could say. */
    Inspection declared(EnvelopeKind declared) {
        return declared == null || kind != EnvelopeKind.OTHER
                ? this
                : new Inspection(
                        declared,
                        contentTypeOid,
                        contentCipherOid,
                        contentCipherName,
                        keyBits,
                        recipients,
                        encryptedContentBytes,
                        contentPresent,
                        false,
                        problem,
                        outsideProfile,
                        encryptedContentTypeOid);
    }

    /** True for an early look at the header: an acceptance based on it is provisional. */
    public boolean headerOnly() {
        return HEADER_ONLY.equals(problem);
    }

    /**
     * True when the encrypted content is declared as RFC 3274 CompressedData: the gateway sees this
     * in the clear (EncryptedContentInfo.contentType) without decrypting.
     */
    public boolean compressed() {
        return Compression.COMPRESSED_DATA.equals(encryptedContentTypeOid);
    }

    boolean encrypted() {
        return kind == EnvelopeKind.AUTH_ENVELOPED || kind == EnvelopeKind.ENVELOPED;
    }
}
