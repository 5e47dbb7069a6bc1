package jp.sekisho.envelope;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetStringParser;
import org.bouncycastle.asn1.ASN1SequenceParser;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1SetParser;
import org.bouncycastle.asn1.ASN1StreamParser;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.cms.AuthEnvelopedDataParser;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfoParser;
import org.bouncycastle.asn1.cms.EncryptedContentInfoParser;
import org.bouncycastle.asn1.cms.EnvelopedDataParser;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Reads the structure of a CMS ContentInfo into an {@link Inspection}, with no key: only the header
 * is parsed into objects; the encrypted content is counted and skipped in constant memory, then the
 * trailing fields (GCM tag) are read so that a truncated envelope shows up as incomplete.
 */
final class EnvelopeReader {

    /** Upper bound for any single header object: garbage claiming a 2 GB length must not allocate it. */
    private static final int HEADER_OBJECT_LIMIT = 32 * 1024 * 1024;

    private EnvelopeReader() {}

    /**
     * Header only (drain false) for the opener, whole envelope (drain true) for the gateway. Bad
     * content is an {@link Inspection} of kind OTHER; a read error of the stream itself while
     * draining is an {@link UncheckedIOException}.
     */
    static Inspection read(InputStream raw, boolean drain) {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 64 * 1024);
        String contentType = null;
        try {
            in.mark(1);
            int first = in.read();
            in.reset();
            if (first != 0x30) { // a ContentInfo is a SEQUENCE; text and most binaries stop here
                consume(in, drain);
                return Inspection.notCms(null, EnvelopeKind.OTHER, first < 0 ? "empty" : "not a DER/BER SEQUENCE");
            }
            ASN1StreamParser parser = new ASN1StreamParser(in, HEADER_OBJECT_LIMIT);
            ASN1Encodable top = parser.readObject();
            if (!(top instanceof ASN1SequenceParser seq)) {
                consume(in, drain);
                return Inspection.notCms(null, EnvelopeKind.OTHER, "not a ContentInfo");
            }
            ContentInfoParser ci = new ContentInfoParser(seq);
            ASN1ObjectIdentifier type = ci.getContentType();
            contentType = type.getId();
            if (type.equals(CMSObjectIdentifiers.authEnvelopedData)) {
                return readAuthEnveloped(
                        new AuthEnvelopedDataParser((ASN1SequenceParser) ci.getContent(BERTags.SEQUENCE)),
                        contentType,
                        drain);
            }
            if (type.equals(CMSObjectIdentifiers.envelopedData)) {
                return readEnveloped(
                        new EnvelopedDataParser((ASN1SequenceParser) ci.getContent(BERTags.SEQUENCE)),
                        contentType,
                        drain);
            }
            consume(in, drain);
            return Inspection.notCms(
                    contentType,
                    type.equals(CMSObjectIdentifiers.signedData) ? EnvelopeKind.SIGNED : EnvelopeKind.OTHER,
                    null);
        } catch (IOException | RuntimeException e) {
            if (e instanceof UncheckedIOException u) {
                throw u;
            }
            try {
                consume(in, drain);
            } catch (UncheckedIOException ignored) {
                // the parse problem is the one worth reporting
            }
            return Inspection.notCms(contentType, EnvelopeKind.OTHER, "malformed: " + e.getMessage());
        }
    }

    private static Inspection readAuthEnveloped(AuthEnvelopedDataParser p, String contentType, boolean drain)
            throws IOException {
        p.getVersion();
        p.getOriginatorInfo();
        ASN1Set recipients = ASN1Set.getInstance(p.getRecipientInfos().toASN1Primitive());
        return readContent(
                EnvelopeKind.AUTH_ENVELOPED, contentType, recipients, p.getAuthEncryptedContentInfo(), drain, type -> {
                    ASN1SetParser attrs = p.getAuthAttrs(); // BouncyCastle requires them of non-data content
                    String outside = authAttrs(attrs, type);
                    if (p.getMac() == null) {
                        throw new IOException("no GCM tag");
                    }
                    p.getUnauthAttrs();
                    return outside;
                });
    }

    private static Inspection readEnveloped(EnvelopedDataParser p, String contentType, boolean drain)
            throws IOException {
        p.getVersion();
        p.getOriginatorInfo();
        ASN1Set recipients = ASN1Set.getInstance(p.getRecipientInfos().toASN1Primitive());
        return readContent(
                EnvelopeKind.ENVELOPED, contentType, recipients, p.getEncryptedContentInfo(), drain, type -> {
                    p.getUnprotectedAttrs();
                    return null;
                });
    }

    /** Why the authenticated attributes are outside the profile: anything but exactly the content type of non-data content. */
    private static String authAttrs(ASN1SetParser attrs, String encryptedType) throws IOException {
        if (attrs == null) {
            return null; // id-data: BouncyCastle has refused their absence for any other content
        }
        byte[] der = ASN1Set.getInstance(attrs.toASN1Primitive()).getEncoded(ASN1Encoding.DER);
        boolean expected = !CMSObjectIdentifiers.data.getId().equals(encryptedType)
                && Arrays.equals(der, Compression.contentTypeAttributes(encryptedType));
        return expected ? null : "authenticated attributes (authAttrs) other than the content type are not accepted";
    }

    /** The fields after the encrypted content (attributes, the GCM tag); they throw when absent or cut. */
    private interface Trailer {
        /** Reads the trailer; returns why it is outside the profile, or null. */
        String read(String encryptedType) throws IOException;
    }

    /**
     * The content cipher, then (when draining) the encrypted content and the trailing fields. The
     * header's values are held to the profile here; its structure was held to it as it was read.
     */
    private static Inspection readContent(
            EnvelopeKind kind,
            String contentType,
            ASN1Set recipientInfos,
            EncryptedContentInfoParser eci,
            boolean drain,
            Trailer trailer)
            throws IOException {
        List<EnvelopeRecipient> recipients = RecipientInfos.read(recipientInfos);
        String encryptedType = eci.getContentType().getId();
        AlgorithmIdentifier alg = eci.getContentEncryptionAlgorithm();
        String outside = RecipientInfos.outsideProfile(recipientInfos, recipients.size());
        if (outside == null) {
            outside = EnvelopeProfile.contentAlgorithm(alg);
        }
        if (!drain) {
            return header(kind, contentType, encryptedType, alg, recipients).outside(outside);
        }
        Body body = new Body();
        try {
            body.count(eci);
            String trailerOutside = trailer.read(encryptedType);
            if (outside == null) {
                outside = trailerOutside;
            }
            body.complete = true;
        } catch (IOException | RuntimeException e) {
            body.problem = "truncated or malformed after the header: " + e.getMessage();
        }
        return full(kind, contentType, encryptedType, alg, recipients, body).outside(outside);
    }

    /** The encrypted content: counted and skipped, never kept. */
    private static final class Body {
        long bytes;
        boolean present;
        boolean complete;
        String problem;

        void count(EncryptedContentInfoParser eci) throws IOException {
            ASN1Encodable content = eci.getEncryptedContent(BERTags.OCTET_STRING);
            if (content == null) {
                return;
            }
            present = true;
            try (InputStream octets = ((ASN1OctetStringParser) content).getOctetStream()) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = octets.read(buf)) >= 0) {
                    bytes += n;
                }
            }
        }
    }

    private static Inspection header(
            EnvelopeKind kind,
            String contentType,
            String encryptedType,
            AlgorithmIdentifier alg,
            List<EnvelopeRecipient> recipients) {
        Body none = new Body();
        none.problem = Inspection.HEADER_ONLY;
        return full(kind, contentType, encryptedType, alg, recipients, none);
    }

    private static Inspection full(
            EnvelopeKind kind,
            String contentType,
            String encryptedType,
            AlgorithmIdentifier alg,
            List<EnvelopeRecipient> recipients,
            Body body) {
        CipherNames.Named c = CipherNames.of(alg);
        return new Inspection(
                kind,
                contentType,
                alg.getAlgorithm().getId(),
                c.name(),
                c.bits(),
                recipients,
                body.bytes,
                body.present,
                body.complete,
                body.problem,
                null,
                encryptedType);
    }

    private static void consume(InputStream in, boolean drain) {
        if (!drain) {
            return;
        }
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
