package jp.sekisho.envelope;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DLSequence;
import org.bouncycastle.asn1.DLSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AuthEnvelopedData;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EncryptedContentInfo;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.OriginatorInfo;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * Hostile variants of a valid envelope, built with BouncyCastle's ASN.1 classes from the parsed
 * original: the ciphertext stays what it was, so an opener that ignored the change would decrypt it.
 */
final class Hostile {

    /** id-data: what the attribute carrying the CSV claims to be. */
    private static final ASN1ObjectIdentifier DATA = CMSObjectIdentifiers.data;

    private Hostile() {}

    static ContentInfo parse(byte[] envelope) {
        try {
            return ContentInfo.getInstance(ASN1Primitive.fromByteArray(envelope));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] der(ASN1Encodable e) {
        try {
            return e.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The fields of an AuthEnvelopedData, to change one at a time. */
    record Auth(
            OriginatorInfo originator,
            ASN1Set recipients,
            EncryptedContentInfo content,
            ASN1Set authAttrs,
            ASN1OctetString mac,
            ASN1Set unauthAttrs) {

        static Auth of(byte[] envelope) {
            AuthEnvelopedData a = AuthEnvelopedData.getInstance(parse(envelope).getContent());
            return new Auth(
                    a.getOriginatorInfo(),
                    a.getRecipientInfos(),
                    a.getAuthEncryptedContentInfo(),
                    a.getAuthAttrs(),
                    a.getMac(),
                    a.getUnauthAttrs());
        }

        byte[] encode() {
            return der(new ContentInfo(
                    CMSObjectIdentifiers.authEnvelopedData,
                    new AuthEnvelopedData(originator, recipients, content, authAttrs, mac, unauthAttrs)));
        }

        Auth withUnauthAttrs(ASN1Set attrs) {
            return new Auth(originator, recipients, content, authAttrs, mac, attrs);
        }

        Auth withAuthAttrs(ASN1Set attrs) {
            return new Auth(originator, recipients, content, attrs, mac, unauthAttrs);
        }

        Auth withOriginator(OriginatorInfo o) {
            return new Auth(o, recipients, content, authAttrs, mac, unauthAttrs);
        }

        Auth withRecipients(ASN1Set r) {
            return new Auth(originator, r, content, authAttrs, mac, unauthAttrs);
        }

        Auth withMac(byte[] m) {
            return new Auth(originator, recipients, content, authAttrs, new DEROctetString(m), unauthAttrs);
        }

        Auth withAlgorithm(AlgorithmIdentifier alg) {
            return new Auth(
                    originator,
                    recipients,
                    new EncryptedContentInfo(content.getContentType(), alg, content.getEncryptedContent()),
                    authAttrs,
                    mac,
                    unauthAttrs);
        }

        /** The GCM parameters with the nonce and ICV length changed (the nonce's other bytes kept). */
        Auth withGcm(int nonceBytes, Integer icvBytes) {
            GCMParameters p = GCMParameters.getInstance(
                    content.getContentEncryptionAlgorithm().getParameters());
            byte[] nonce = java.util.Arrays.copyOf(p.getNonce(), nonceBytes);
            ASN1Encodable params = icvBytes == null
                    ? new DERSequence(new DEROctetString(nonce)) // RFC 5084's default ICV length: 12
                    : new DERSequence(new ASN1Encodable[] {new DEROctetString(nonce), new ASN1Integer(icvBytes)});
            return withAlgorithm(new AlgorithmIdentifier(
                    content.getContentEncryptionAlgorithm().getAlgorithm(), params));
        }
    }

    /** An attribute of content type id-data whose one value is {@code bytes} in the clear. */
    static ASN1Set attributes(byte[] bytes) {
        return new DERSet(new Attribute(DATA, new DERSet(new DEROctetString(bytes))));
    }

    /** {@code n} copies of the first recipient info (a set as written, not sorted or deduplicated). */
    static ASN1Set recipients(ASN1Set original, int n) {
        ASN1EncodableVector v = new ASN1EncodableVector();
        for (int i = 0; i < n; i++) {
            v.add(original.getObjectAt(0));
        }
        return new DLSet(v);
    }

    /** The first recipient info with its encrypted key replaced by {@code bytes} of key. */
    static ASN1Set recipientWithKeyOf(ASN1Set original, int bytes) {
        KeyTransRecipientInfo kt = KeyTransRecipientInfo.getInstance(
                RecipientInfo.getInstance(original.getObjectAt(0)).getInfo());
        return new DLSet(new RecipientInfo(new KeyTransRecipientInfo(
                kt.getRecipientIdentifier(), kt.getKeyEncryptionAlgorithm(), new DEROctetString(new byte[bytes]))));
    }

    /**
     * The first recipient info with the key-encryption algorithm's parameters nested {@code depth}
     * SEQUENCEs deep: legal ASN.1 that no real algorithm has.
     */
    static ASN1Set recipientNested(ASN1Set original, int depth) {
        KeyTransRecipientInfo kt = KeyTransRecipientInfo.getInstance(
                RecipientInfo.getInstance(original.getObjectAt(0)).getInfo());
        ASN1Encodable nested = DERNull.INSTANCE;
        for (int i = 0; i < depth; i++) {
            nested = new DLSequence(nested);
        }
        AlgorithmIdentifier alg =
                new AlgorithmIdentifier(kt.getKeyEncryptionAlgorithm().getAlgorithm(), nested);
        return new DLSet(
                new RecipientInfo(new KeyTransRecipientInfo(kt.getRecipientIdentifier(), alg, kt.getEncryptedKey())));
    }

    /** An OID of {@code arcs} arcs, each 2^20 (three bytes): longer than any real one. */
    static ASN1ObjectIdentifier longOid(int arcs) {
        StringBuilder b = new StringBuilder("1.2");
        for (int i = 0; i < arcs; i++) {
            b.append('.').append(1 << 20);
        }
        return new ASN1ObjectIdentifier(b.toString());
    }

    /** originatorInfo carrying certificates: the clear-text certificate set RFC 5652 allows there. */
    static OriginatorInfo originatorWith(Certificate... certs) {
        return new OriginatorInfo(new DERSet(certs), null);
    }

    /** The ContentInfo with one more field after its content, e.g. plaintext in an OCTET STRING. */
    static byte[] contentInfoWithExtra(byte[] envelope, byte[] extra) {
        ContentInfo ci = parse(envelope);
        return der(new DERSequence(new ASN1Encodable[] {
            ci.getContentType(), new DERTaggedObject(true, 0, ci.getContent()), new DEROctetString(extra)
        }));
    }

    /** An EnvelopedData (CBC) with unprotectedAttrs carrying {@code bytes}. */
    static byte[] envelopedWithUnprotected(byte[] envelope, byte[] bytes) {
        EnvelopedData e = EnvelopedData.getInstance(parse(envelope).getContent());
        return der(new ContentInfo(
                CMSObjectIdentifiers.envelopedData,
                new EnvelopedData(
                        e.getOriginatorInfo(),
                        e.getRecipientInfos(),
                        e.getEncryptedContentInfo(),
                        org.bouncycastle.asn1.cms.Attributes.getInstance(attributes(bytes)))));
    }

    /**
     * The envelope in indefinite lengths, as streamed, with {@code depth} indefinite-length
     * SEQUENCEs nested in its recipient info set: each is legal BER, the whole more than any real
     * envelope opens.
     */
    static byte[] indefiniteNesting(byte[] envelope, int depth) {
        Auth a = Auth.of(envelope);
        ByteArrayOutputStream recipients = new ByteArrayOutputStream();
        recipients.writeBytes(new byte[] {0x31, (byte) 0x80});
        for (int i = 0; i < depth; i++) {
            recipients.writeBytes(new byte[] {0x30, (byte) 0x80});
        }
        for (int i = 0; i <= depth; i++) {
            recipients.writeBytes(new byte[] {0, 0});
        }
        return streamed(a, recipients.toByteArray());
    }

    /** ContentInfo, [0] and AuthEnvelopedData in indefinite lengths around the given recipient info bytes. */
    static byte[] streamed(Auth a, byte[] recipientInfos) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x30, (byte) 0x80});
        out.writeBytes(der(CMSObjectIdentifiers.authEnvelopedData));
        out.writeBytes(new byte[] {(byte) 0xa0, (byte) 0x80, 0x30, (byte) 0x80});
        out.writeBytes(der(new ASN1Integer(0)));
        out.writeBytes(recipientInfos);
        out.writeBytes(der(a.content()));
        out.writeBytes(der(a.mac()));
        out.writeBytes(new byte[6]);
        return out.toByteArray();
    }

    static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** Applies {@code change} to the AuthEnvelopedData of {@code envelope} and encodes the result. */
    static byte[] auth(byte[] envelope, UnaryOperator<Auth> change) {
        return change.apply(Auth.of(envelope)).encode();
    }
}
