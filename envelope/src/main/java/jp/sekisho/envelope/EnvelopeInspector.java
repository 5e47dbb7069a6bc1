package jp.sekisho.envelope;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
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
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KEKRecipientInfo;
import org.bouncycastle.asn1.cms.KeyAgreeRecipientIdentifier;
import org.bouncycastle.asn1.cms.KeyAgreeRecipientInfo;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.PasswordRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientEncryptedKey;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Reads what an envelope says about itself, with no key and no decryption: the gateway uses it to
 * refuse plaintext, weak ciphers and wrong recipients. Only the header is parsed into objects; the
 * encrypted content is counted and skipped in constant memory, then the trailing fields (GCM tag)
 * are read so that a truncated upload shows up as incomplete.
 */
public final class EnvelopeInspector {

    /** Upper bound for any single header object: garbage claiming a 2 GB length must not allocate it. */
    private static final int HEADER_OBJECT_LIMIT = 32 * 1024 * 1024;

    /** OID → (name, key bits) for the content ciphers we can name; anything else is reported by OID. */
    private static final Map<String, Cipher> CIPHERS = Map.ofEntries(
            Map.entry("1.2.840.113549.3.7", new Cipher("DES-EDE3-CBC", 168)),
            Map.entry("1.3.14.3.2.7", new Cipher("DES-CBC", 56)),
            Map.entry("1.2.840.113549.3.2", new Cipher("RC2-CBC", 0)),
            Map.entry("2.16.840.1.101.3.4.1.2", new Cipher("AES-128-CBC", 128)),
            Map.entry("2.16.840.1.101.3.4.1.22", new Cipher("AES-192-CBC", 192)),
            Map.entry("2.16.840.1.101.3.4.1.42", new Cipher("AES-256-CBC", 256)),
            Map.entry("2.16.840.1.101.3.4.1.6", new Cipher("AES-128-GCM", 128)),
            Map.entry("2.16.840.1.101.3.4.1.26", new Cipher("AES-192-GCM", 192)),
            Map.entry("2.16.840.1.101.3.4.1.46", new Cipher("AES-256-GCM", 256)),
            Map.entry("2.16.840.1.101.3.4.1.7", new Cipher("AES-128-CCM", 128)),
            Map.entry("2.16.840.1.101.3.4.1.27", new Cipher("AES-192-CCM", 192)),
            Map.entry("2.16.840.1.101.3.4.1.47", new Cipher("AES-256-CCM", 256)));

    private record Cipher(String name, int bits) {}

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
     */
    public static Inspection inspect(InputStream envelope) {
        FramingCheck framed = new FramingCheck(envelope);
        Inspection i = read(framed, true);
        try {
            framed.transferTo(java.io.OutputStream.nullOutputStream()); // what the parser did not ask for
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
                framed.problem());
    }

    /**
     * Early look at the first bytes of an upload, before the rest has arrived: the header
     * (kind, cipher, recipients) is parsed from {@code prefix} alone. Empty when the header is not
     * complete yet (call again with more bytes); a result whose {@code complete()} is false (the body
     * was not read). {@link #check} on it gives an early refusal for plaintext, weak ciphers and
     * wrong recipients, but an acceptance is only final after {@link #inspect} of the whole upload.
     * Headers are a few KB; give up (treat as refused) if none is found in the first megabyte.
     */
    public static java.util.Optional<Inspection> inspectHeader(byte[] prefix, int length) {
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(prefix, 0, length);
        Inspection header = read(in, false);
        boolean ranOut = in.available() == 0;
        if (header.kind() == EnvelopeKind.OTHER
                && header.problem() != null
                && ranOut
                && length > 0
                && (prefix[0] & 0xff) == 0x30) {
            return java.util.Optional.empty(); // failed only because the bytes ended: wait for more
        }
        return java.util.Optional.of(header);
    }

    /**
     * The gateway's decision: AES-256-GCM (or AES-256-CBC when {@code allowCbc}) for exactly the
     * registered recipient certificates, every one of them and nobody else.
     */
    public static PayloadDecision check(
            Inspection inspection, Collection<X509Certificate> registeredRecipients, boolean allowCbc) {
        if (!inspection.encrypted()) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                    "payload is not a CMS envelope (" + inspection.kind()
                            + (inspection.problem() != null ? ": " + inspection.problem() : "") + ")");
        }
        if (!inspection.headerOnly() && (!inspection.complete() || !inspection.contentPresent())) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_NOT_ENCRYPTED,
                    "envelope is malformed or carries no encrypted content"
                            + (inspection.problem() != null ? ": " + inspection.problem() : ""));
        }
        ContentCipher cipher = inspection.contentCipherOid() == null
                ? null
                : ContentCipher.of(new ASN1ObjectIdentifier(inspection.contentCipherOid()));
        boolean strong = (inspection.kind() == EnvelopeKind.AUTH_ENVELOPED && cipher == ContentCipher.AES_256_GCM)
                || (inspection.kind() == EnvelopeKind.ENVELOPED && cipher == ContentCipher.AES_256_CBC && allowCbc);
        if (!strong) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_WEAK_CIPHER,
                    "content cipher " + inspection.contentCipherName() + " is not accepted"
                            + (cipher == ContentCipher.AES_256_CBC ? " on this route (CBC not allowed)" : ""));
        }
        for (EnvelopeRecipient r : inspection.recipients()) {
            if (registeredRecipients.stream().noneMatch(r::matches)) {
                return new PayloadDecision.Refused(
                        PayloadRefusal.PAYLOAD_WRONG_RECIPIENT,
                        "envelope is also readable by an unregistered recipient: " + r);
            }
        }
        for (X509Certificate c : registeredRecipients) {
            if (inspection.recipients().stream().noneMatch(r -> r.matches(c))) {
                return new PayloadDecision.Refused(
                        PayloadRefusal.PAYLOAD_WRONG_RECIPIENT,
                        "envelope is not encrypted for registered recipient "
                                + c.getSubjectX500Principal().getName());
            }
        }
        if (registeredRecipients.isEmpty()) {
            return new PayloadDecision.Refused(
                    PayloadRefusal.PAYLOAD_WRONG_RECIPIENT, "route has no registered recipient");
        }
        return new PayloadDecision.Accepted(inspection);
    }

    /** Header only (drain false) for the opener, whole envelope (drain true) for the gateway. */
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
        List<EnvelopeRecipient> recipients = recipients(p.getRecipientInfos());
        EncryptedContentInfoParser eci = p.getAuthEncryptedContentInfo();
        AlgorithmIdentifier alg = eci.getContentEncryptionAlgorithm();
        if (!drain) {
            return header(EnvelopeKind.AUTH_ENVELOPED, contentType, alg, recipients);
        }
        Body body = new Body();
        try {
            body.count(eci);
            p.getAuthAttrs();
            if (p.getMac() == null) {
                throw new IOException("no GCM tag");
            }
            p.getUnauthAttrs();
            body.complete = true;
        } catch (IOException | RuntimeException e) {
            body.problem = "truncated or malformed after the header: " + e.getMessage();
        }
        return full(EnvelopeKind.AUTH_ENVELOPED, contentType, alg, recipients, body);
    }

    private static Inspection readEnveloped(EnvelopedDataParser p, String contentType, boolean drain)
            throws IOException {
        p.getVersion();
        p.getOriginatorInfo();
        List<EnvelopeRecipient> recipients = recipients(p.getRecipientInfos());
        EncryptedContentInfoParser eci = p.getEncryptedContentInfo();
        AlgorithmIdentifier alg = eci.getContentEncryptionAlgorithm();
        if (!drain) {
            return header(EnvelopeKind.ENVELOPED, contentType, alg, recipients);
        }
        Body body = new Body();
        try {
            body.count(eci);
            p.getUnprotectedAttrs();
            body.complete = true;
        } catch (IOException | RuntimeException e) {
            body.problem = "truncated or malformed after the header: " + e.getMessage();
        }
        return full(EnvelopeKind.ENVELOPED, contentType, alg, recipients, body);
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
            EnvelopeKind kind, String contentType, AlgorithmIdentifier alg, List<EnvelopeRecipient> recipients) {
        Cipher c = cipher(alg);
        return new Inspection(
                kind,
                contentType,
                alg.getAlgorithm().getId(),
                c.name,
                c.bits,
                recipients,
                0,
                false,
                false,
                Inspection.HEADER_ONLY);
    }

    private static Inspection full(
            EnvelopeKind kind,
            String contentType,
            AlgorithmIdentifier alg,
            List<EnvelopeRecipient> recipients,
            Body body) {
        Cipher c = cipher(alg);
        return new Inspection(
                kind,
                contentType,
                alg.getAlgorithm().getId(),
                c.name,
                c.bits,
                recipients,
                body.bytes,
                body.present,
                body.complete,
                body.problem);
    }

    private static Cipher cipher(AlgorithmIdentifier alg) {
        String oid = alg.getAlgorithm().getId();
        Cipher c = CIPHERS.getOrDefault(oid, new Cipher(oid, 0));
        if (c.name.endsWith("GCM") && alg.getParameters() != null) {
            try {
                int icv = GCMParameters.getInstance(alg.getParameters()).getIcvLen();
                if (icv < 12) { // a short tag is as good as a weak cipher: name it so check() refuses
                    return new Cipher(c.name + "/tag" + icv * 8, 0);
                }
            } catch (IllegalArgumentException e) {
                return new Cipher(c.name + "/bad-params", 0);
            }
        }
        return c;
    }

    private static List<EnvelopeRecipient> recipients(ASN1SetParser setParser) throws IOException {
        ASN1Set set = ASN1Set.getInstance(setParser.toASN1Primitive());
        List<EnvelopeRecipient> result = new ArrayList<>();
        for (ASN1Encodable e : set) {
            ASN1Encodable info = RecipientInfo.getInstance(e).getInfo();
            if (info instanceof KeyTransRecipientInfo kt) {
                result.add(of(EnvelopeRecipient.Type.KEY_TRANSPORT, kt.getRecipientIdentifier()));
            } else if (info instanceof KeyAgreeRecipientInfo ka) {
                for (ASN1Encodable k : ka.getRecipientEncryptedKeys()) {
                    KeyAgreeRecipientIdentifier id =
                            RecipientEncryptedKey.getInstance(k).getIdentifier();
                    if (id.getIssuerAndSerialNumber() != null) {
                        result.add(of(EnvelopeRecipient.Type.KEY_AGREEMENT, id.getIssuerAndSerialNumber(), null));
                    } else {
                        result.add(of(
                                EnvelopeRecipient.Type.KEY_AGREEMENT,
                                null,
                                id.getRKeyID().getSubjectKeyIdentifier().getOctets()));
                    }
                }
            } else if (info instanceof KEKRecipientInfo) {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.KEK, null, null, null));
            } else if (info instanceof PasswordRecipientInfo) {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.PASSWORD, null, null, null));
            } else {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.OTHER, null, null, null));
            }
        }
        return result;
    }

    private static EnvelopeRecipient of(EnvelopeRecipient.Type type, RecipientIdentifier rid) {
        if (rid.isTagged()) {
            return of(
                    type,
                    null,
                    org.bouncycastle.asn1.ASN1OctetString.getInstance(rid.getId())
                            .getOctets());
        }
        return of(type, IssuerAndSerialNumber.getInstance(rid.getId()), null);
    }

    private static EnvelopeRecipient of(EnvelopeRecipient.Type type, IssuerAndSerialNumber iss, byte[] ski) {
        return new EnvelopeRecipient(
                type,
                iss == null ? null : iss.getName().toString(),
                iss == null ? null : iss.getSerialNumber().getValue(),
                ski == null ? null : EnvelopeRecipient.hex(ski));
    }

    private static void consume(InputStream in, boolean drain) {
        if (!drain) {
            return;
        }
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
