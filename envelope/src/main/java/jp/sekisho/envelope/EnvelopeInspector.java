package jp.sekisho.envelope;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;

/**
 * Reads what an envelope says about itself, with no key and no decryption, and decides on it: the
 * gateway uses it to refuse plaintext, weak ciphers and wrong recipients. The structure is read by
 * {@link EnvelopeReader} in constant memory; the decision rules are {@link PayloadRules}.
 */
public final class EnvelopeInspector {

    private EnvelopeInspector() {}

    /** Inspects a whole envelope (for example an upload already on disk). */
    public static Inspection inspect(Path envelope) {
        try (InputStream in = Files.newInputStream(envelope)) {
            return inspect(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Inspects an envelope as it streams by, reading it to the end in constant memory. Never throws
     * for bad content: garbage is an {@link Inspection} of kind OTHER; a read error of the stream
     * itself is an {@link UncheckedIOException}.
     *
     * <p>The bytes must be exactly one BER element: BouncyCastle's parser stops once it has what it
     * asked for, so without this check bytes appended to a valid envelope (plaintext, say) would go
     * through, and so would an envelope whose last end-of-contents are missing.
     *
     * <p>An envelope outside {@link EnvelopeProfile the accepted profile} is read only up to the
     * first field that breaks it; its inspection says why in {@code outsideProfile}.
     */
    public static Inspection inspect(InputStream envelope) {
        FramingCheck framed = new FramingCheck(envelope);
        Inspection i = EnvelopeReader.read(framed, true);
        try {
            framed.transferTo(OutputStream.nullOutputStream()); // what the parser did not ask for
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (framed.outsideProfile() != null) {
            return i.declared(framed.declaredKind()).outside(framed.outsideProfile());
        }
        if (!i.complete() || framed.whole()) {
            return i;
        }
        return new Inspection(
                i.kind(),
                i.contentTypeOid(),
                i.contentCipherOid(),
                i.contentCipherName(),
                i.keyBits(),
                i.recipients(),
                i.encryptedContentBytes(),
                i.contentPresent(),
                false,
                framed.problem(),
                i.outsideProfile(),
                i.encryptedContentTypeOid());
    }

    /**
     * Early look at the first bytes of an upload, before the rest has arrived: the header
     * (kind, cipher, recipients) is parsed from {@code prefix} alone. Empty when the header is not
     * complete yet (call again with more bytes); a result whose {@code complete()} is false (the body
     * was not read). {@link #check} on it gives an early refusal for plaintext, weak ciphers and
     * wrong recipients, but an acceptance is only final after {@link #inspect} of the whole upload.
     * Headers are a few KB; give up (treat as refused) if none is found in the first megabyte.
     */
    public static Optional<Inspection> inspectHeader(byte[] prefix, int length) {
        ByteArrayInputStream in = new ByteArrayInputStream(prefix, 0, length);
        FramingCheck framed = new FramingCheck(in);
        Inspection header = EnvelopeReader.read(framed, false);
        if (framed.outsideProfile() != null) {
            return Optional.of(header.declared(framed.declaredKind()).outside(framed.outsideProfile()));
        }
        boolean ranOut = in.available() == 0;
        if (header.kind() == EnvelopeKind.OTHER
                && header.problem() != null
                && ranOut
                && length > 0
                && (prefix[0] & 0xff) == 0x30) {
            return Optional.empty(); // failed only because the bytes ended: wait for more
        }
        return Optional.of(header);
    }

    /**
     * The gateway's decision: AES-256-GCM (or AES-256-CBC when {@code allowCbc}) for exactly the
     * registered recipient certificates, every one of them and nobody else.
     */
    public static PayloadDecision check(
            Inspection inspection, Collection<X509Certificate> registeredRecipients, boolean allowCbc) {
        return PayloadRules.check(inspection, registeredRecipients, allowCbc, true);
    }

    /**
     * The same on a route that may refuse compression: with {@code allowCompression} false, an
     * envelope that passes every other check but declares CompressedData inside is refused as
     * {@link PayloadRefusal#COMPRESSION_NOT_ALLOWED} (its receiver opens envelopes with stock tools).
     */
    public static PayloadDecision check(
            Inspection inspection,
            Collection<X509Certificate> registeredRecipients,
            boolean allowCbc,
            boolean allowCompression) {
        return PayloadRules.check(inspection, registeredRecipients, allowCbc, allowCompression);
    }
}
