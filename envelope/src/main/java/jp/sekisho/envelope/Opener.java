package jp.sekisho.envelope;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.CertificateSummary;
import jp.sekisho.certs.Identity;
import jp.sekisho.certs.Pem;
import jp.sekisho.envelope.EnvelopeException.Reason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSAuthEnvelopedDataParser;
import org.bouncycastle.cms.CMSEnvelopedDataParser;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSTypedStream;
import org.bouncycastle.cms.KeyAgreeRecipientInformation;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Decrypt-then-verify in one streaming pass, in constant memory. The plaintext goes to a temporary
 * file beside the target and is renamed into place only after both the GCM tag and the signature
 * (with the signer's chain to the trust anchors) verified; on any failure it is deleted, so a
 * caller never sees unauthenticated bytes under the target name.
 */
public final class Opener {

    /** Large reads make the profile's walk of a whole file about as fast as reading it. */
    private static final int WALK_BUFFER = 1024 * 1024;

    private Opener() {}

    /**
     * @param recipientCert optional: picks our RecipientInfo directly; without it every
     *                      RecipientInfo of the key's type is tried
     */
    public static OpenResult open(
            Path envelope, Path outFile, PrivateKey recipientKey, X509Certificate recipientCert, TrustAnchors trust) {
        return open(envelope, outFile, recipientKey, recipientCert, trust, Compression.DEFAULT_MAX_INFLATED);
    }

    /**
     * @param maxInflated a compressed envelope whose content inflates past this many bytes is refused
     *                    as {@link Reason#INFLATED_TOO_LARGE}, and nothing of it is left on disk
     */
    public static OpenResult open(
            Path envelope,
            Path outFile,
            PrivateKey recipientKey,
            X509Certificate recipientCert,
            TrustAnchors trust,
            long maxInflated) {
        return open(
                () -> Files.newInputStream(envelope), true, outFile, recipientKey, recipientCert, trust, maxInflated);
    }

    /**
     * The same from a source opened twice: once for the header, once for the full pass (a receiver
     * opens a download while it arrives this way).
     */
    public static OpenResult open(
            EnvelopeSource envelope,
            Path outFile,
            PrivateKey recipientKey,
            X509Certificate recipientCert,
            TrustAnchors trust) {
        return open(envelope, outFile, recipientKey, recipientCert, trust, Compression.DEFAULT_MAX_INFLATED);
    }

    /** The same, inflating a compressed envelope's content to at most {@code maxInflated} bytes. */
    public static OpenResult open(
            EnvelopeSource envelope,
            Path outFile,
            PrivateKey recipientKey,
            X509Certificate recipientCert,
            TrustAnchors trust,
            long maxInflated) {
        return open(envelope, false, outFile, recipientKey, recipientCert, trust, maxInflated);
    }

    /**
     * @param walkFirst the envelope is complete: walk all of it against the profile before decrypting,
     *                  so that one refused for its trailer (unauthenticated attributes, say) is never
     *                  decrypted at all; a source that follows a download finds such a trailer only
     *                  after decryption, and deletes the temporary plaintext then
     */
    private static OpenResult open(
            EnvelopeSource envelope,
            boolean walkFirst,
            Path outFile,
            PrivateKey recipientKey,
            X509Certificate recipientCert,
            TrustAnchors trust,
            long maxInflated) {
        Inspection header;
        try (InputStream in = envelope.open()) {
            FramingCheck framed = new FramingCheck(in);
            header = EnvelopeReader.read(framed, false);
            if (framed.outsideProfile() != null) {
                header = header.declared(framed.declaredKind()).outside(framed.outsideProfile());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ContentCipher cipher = acceptedCipher(header);
        if (walkFirst) {
            walk(envelope);
        }

        Path target = outFile.toAbsolutePath();
        Path temp = null;
        FramingCheck framed = null;
        try (InputStream raw = envelope.open()) {
            framed = new FramingCheck(raw);
            InputStream in = new BufferedInputStream(framed, 64 * 1024); // closed with raw
            temp = PlaintextFile.createTemp(target);
            RecipientInformationStore store = cipher == ContentCipher.AES_256_GCM
                    ? new CMSAuthEnvelopedDataParser(in).getRecipientInfos()
                    : new CMSEnvelopedDataParser(in).getRecipientInfos();
            // decryption (read, AES-CTR, GHASH) on a second thread; this one digests, parses and writes
            InputStream plain = new ReadAheadInputStream(
                    decrypt(store, recipientKey, recipientCert, aad(header)), "sekisho-open-decrypt");
            SignedFile.Verified verified;
            try (plain) {
                verified = verifyInto(plain, header.compressed() ? maxInflated : -1, temp, trust);
            }
            in.transferTo(OutputStream.nullOutputStream()); // the trailer the parser did not ask for
            refuseOutsideProfile(framed);
            if (!framed.whole()) {
                throw new EnvelopeException(Reason.NOT_CMS, framed.problem());
            }
            PlaintextFile.moveInto(temp, target);
            temp = null;
            return new OpenResult(
                    verified.signer(),
                    CertificateSummary.of(verified.signer()),
                    verified.bytes(),
                    verified.sha256(),
                    cipher);
        } catch (EnvelopeException e) {
            refuseOutsideProfile(framed); // what failed may have been the end of the bytes at a refused field
            throw e;
        } catch (CMSException e) {
            refuseOutsideProfile(framed);
            throw new EnvelopeException(Reason.NOT_CMS, "unreadable envelope: " + e.getMessage(), e);
        } catch (IllegalArgumentException // ASN1ParsingException is an IllegalStateException
                | IllegalStateException
                | ClassCastException e) {
            // a truncated or malformed structure found while streaming: BouncyCastle's are unchecked
            refuseOutsideProfile(framed);
            throw new EnvelopeException(Reason.NOT_CMS, "malformed envelope: " + e.getMessage(), e);
        } catch (IOException e) {
            refuseOutsideProfile(framed);
            if (framed != null && framed.endedNotWhole()) {
                // a truncated envelope: BouncyCastle 1.87 reports it as an EOFException
                throw new EnvelopeException(Reason.NOT_CMS, framed.problem(), e);
            }
            if (isTagMismatch(e)) {
                throw new EnvelopeException(Reason.TAG_MISMATCH, e.getMessage(), e);
            }
            if (e instanceof GcmStreamDecryptor.AuthAttrsRefused) {
                throw new EnvelopeException(Reason.PAYLOAD_MALFORMED, EnvelopeProfile.message(e.getMessage()), e);
            }
            if (framed != null && !framed.sourceFailed()) {
                // not the file or download failing: BouncyCastle's parser refusing the bytes
                throw new EnvelopeException(Reason.NOT_CMS, "malformed envelope: " + e.getMessage(), e);
            }
            throw new UncheckedIOException(e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temp name starts with a dot and ends in .part
                }
            }
        }
    }

    /** For the client's receive: the receiver's identity (key and certificate). */
    public static OpenResult open(Path envelope, Path outFile, Identity recipient, TrustAnchors trust) {
        return open(envelope, outFile, recipient.privateKey(), recipient.certificate(), trust);
    }

    /** Convenience for the CLI: key from a PEM file, optional certificate. */
    public static OpenResult open(
            Path envelope, Path outFile, Path keyFile, char[] keyPassword, Path certFile, TrustAnchors trust) {
        return open(envelope, outFile, keyFile, keyPassword, certFile, trust, Compression.DEFAULT_MAX_INFLATED);
    }

    /** The same, inflating a compressed envelope's content to at most {@code maxInflated} bytes. */
    public static OpenResult open(
            Path envelope,
            Path outFile,
            Path keyFile,
            char[] keyPassword,
            Path certFile,
            TrustAnchors trust,
            long maxInflated) {
        PrivateKey key = Pem.readPrivateKey(keyFile, keyPassword);
        X509Certificate cert = certFile == null ? null : Pem.readCertificate(certFile);
        return open(envelope, outFile, key, cert, trust, maxInflated);
    }

    /** Reads the whole envelope through the profile's walk, without parsing or decrypting it. */
    private static void walk(EnvelopeSource envelope) {
        try (InputStream in = envelope.open()) {
            FramingCheck framed = new FramingCheck(in);
            byte[] buf = new byte[WALK_BUFFER];
            while (framed.read(buf, 0, buf.length) >= 0) {
                // the walk looks at headers only: a gigabyte costs a read of the file
            }
            refuseOutsideProfile(framed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void refuseOutsideProfile(FramingCheck framed) {
        if (framed != null && framed.outsideProfile() != null) {
            throw new EnvelopeException(Reason.PAYLOAD_MALFORMED, EnvelopeProfile.message(framed.outsideProfile()));
        }
    }

    /** The gateway's rules as far as {@code open} goes: an encrypted envelope, in the profile, with an accepted cipher. */
    private static ContentCipher acceptedCipher(Inspection header) {
        if (!header.encrypted()) {
            throw new EnvelopeException(
                    Reason.NOT_CMS,
                    "not an encrypted CMS envelope (" + header.kind()
                            + (header.problem() != null ? ": " + header.problem() : "") + ")");
        }
        ContentCipher cipher = header.contentCipherOid() == null
                ? null
                : ContentCipher.of(new org.bouncycastle.asn1.ASN1ObjectIdentifier(header.contentCipherOid()));
        if (header.outsideProfile() != null && (cipher != null || header.contentCipherOid() == null)) {
            throw new EnvelopeException(Reason.PAYLOAD_MALFORMED, EnvelopeProfile.message(header.outsideProfile()));
        }
        boolean ok = (header.kind() == EnvelopeKind.AUTH_ENVELOPED && cipher == ContentCipher.AES_256_GCM)
                || (header.kind() == EnvelopeKind.ENVELOPED && cipher == ContentCipher.AES_256_CBC);
        if (!ok) {
            throw new EnvelopeException(
                    Reason.WEAK_CIPHER,
                    "content cipher " + header.contentCipherName() + " is not accepted (AES-256-GCM, or AES-256-CBC)");
        }
        return cipher;
    }

    /** Finds our RecipientInfo and unwraps the content key; the returned stream is the decrypted content. */
    /** What a GCM envelope's authenticated attributes must be: none for id-data, else its content type (RFC 5083). */
    private static byte[] aad(Inspection header) {
        String type = header.encryptedContentTypeOid();
        return header.kind() != EnvelopeKind.AUTH_ENVELOPED || type == null || type.equals(DATA)
                ? new byte[0]
                : Compression.contentTypeAttributes(type);
    }

    private static final String DATA = org.bouncycastle.asn1.cms.CMSObjectIdentifiers.data.getId();

    private static InputStream decrypt(
            RecipientInformationStore store, PrivateKey key, X509Certificate cert, byte[] aad) throws IOException {
        List<RecipientInformation> candidates = new ArrayList<>();
        boolean ec = key.getAlgorithm().startsWith("EC");
        X509CertificateHolder holder = null;
        if (cert != null) {
            try {
                holder = new JcaX509CertificateHolder(cert);
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("unreadable recipient certificate", e);
            }
        }
        for (RecipientInformation ri : store.getRecipients()) {
            boolean rightType =
                    ec ? ri instanceof KeyAgreeRecipientInformation : ri instanceof KeyTransRecipientInformation;
            if (rightType && (holder == null || ri.getRID().match(holder))) {
                candidates.add(ri);
            }
        }
        CMSException last = null;
        for (RecipientInformation ri : candidates) {
            Recipient recipient =
                    ec ? StreamingRecipients.keyAgreement(key, aad) : StreamingRecipients.keyTransport(key, aad);
            try {
                CMSTypedStream typed = ri.getContentStream(recipient);
                return typed.getContentStream();
            } catch (CMSException e) {
                last = e; // wrong key for this entry: try the next one
            }
        }
        throw new EnvelopeException(
                Reason.NOT_FOR_THIS_RECIPIENT,
                candidates.isEmpty()
                        ? "the envelope is not addressed to this "
                                + (cert != null ? "certificate" : key.getAlgorithm() + " key")
                        : "this key cannot unwrap the content key" + (last != null ? ": " + last.getMessage() : ""),
                last);
    }

    /**
     * Streams the signed content into {@code temp}, then checks the signature and the signer's
     * chain; {@code maxInflated} is the bound of a compressed envelope's content, -1 for one that is
     * not compressed. Whatever goes wrong inside, the decrypted stream is read to its end first, so that an
     * altered ciphertext is reported as TAG_MISMATCH rather than as the garbage it decrypts to.
     */
    private static SignedFile.Verified verifyInto(InputStream plain, long maxInflated, Path temp, TrustAnchors trust)
            throws IOException {
        SignedFile.Verified verified = null;
        RuntimeException failure = null;
        ReadAheadInputStream inflating = null;
        try {
            // only what the header declares compressed is inflated: id-data holding CompressedData
            // (slipped past a route that refuses compression) is not a signed file, and fails as one
            InputStream signed = plain;
            if (maxInflated >= 0) {
                // inflating is the largest part of opening a CSV: a thread of its own, as decrypting has
                inflating = new ReadAheadInputStream(
                        CompressedContent.inflated(plain, maxInflated), "sekisho-open-inflate");
                signed = inflating;
            }
            verified = SignedFile.verifyInto(signed, temp, trust);
        } catch (EnvelopeException e) {
            failure = e;
        } catch (CMSException | OperatorCreationException | RuntimeException e) {
            if (isTagMismatch(e)) {
                throw new EnvelopeException(Reason.TAG_MISMATCH, "GCM tag mismatch: the envelope was altered", e);
            }
            failure = notASignedFile(e);
        } catch (IOException e) {
            if (isTagMismatch(e)) {
                throw e;
            }
            failure = notASignedFile(e);
        } finally {
            if (inflating != null) {
                inflating.stop(); // it may be reading plain still: from here on only this thread does
            }
        }
        plain.transferTo(OutputStream.nullOutputStream()); // reaching the end checks the GCM tag
        if (failure != null) {
            throw failure;
        }
        return verified;
    }

    /** What a failure to read the signed file inside means: inflated past its bound, or no valid signed file. */
    private static EnvelopeException notASignedFile(Exception e) {
        return Compression.isInflatedTooLarge(e)
                ? CompressedContent.tooLarge(e)
                : new EnvelopeException(
                        Reason.SIGNATURE_INVALID,
                        "the envelope does not hold a valid signed file: " + e.getMessage(),
                        e);
    }

    static boolean isTagMismatch(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TagMismatchException) {
                return true;
            }
        }
        return false;
    }
}
