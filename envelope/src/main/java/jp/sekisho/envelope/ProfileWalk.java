package jp.sekisho.envelope;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;

/**
 * The structural half of {@link EnvelopeProfile}, checked on the BER elements as a {@link
 * BerWalker} reports them: field by field, before any parser builds objects from them. It refuses
 * (see {@link #refusal()}) the first element outside the profile, so that the walk, and the bytes
 * handed on to BouncyCastle, stop right before it: nothing deeper than the bounds is ever parsed.
 *
 * <p>Bounds on nesting, indefinite lengths and OIDs apply to any ContentInfo; the field rules only
 * to EnvelopedData and AuthEnvelopedData (any other content type is refused as not encrypted anyway).
 */
final class ProfileWalk implements BerWalker.Listener {

    private static final int UNIVERSAL = 0;
    private static final int CONTEXT = 2;
    private static final int INTEGER = 2;
    private static final int OCTET_STRING = 4;
    private static final int OID = 6;
    private static final int SEQUENCE = 16;
    private static final int SET = 17;

    private static final byte[] AUTH_ENVELOPED = contentOctets(CMSObjectIdentifiers.authEnvelopedData);
    private static final byte[] ENVELOPED = contentOctets(CMSObjectIdentifiers.envelopedData);

    /** What an open element is, as far as the profile goes. */
    private enum Node {
        CONTENT_INFO,
        EXPLICIT_CONTENT,
        ENVELOPE,
        RECIPIENT_INFOS,
        ENCRYPTED_CONTENT_INFO,
        CIPHERTEXT,
        OTHER
    }

    /** The envelope's fields in the order RFC 5652 and RFC 5083 give them (the refused ones left out). */
    private enum Field {
        VERSION,
        RECIPIENT_INFOS,
        ENCRYPTED_CONTENT_INFO,
        AUTH_ATTRS,
        MAC
    }

    private final Node[] nodes = new Node[BerWalker.MAX_DEPTH + 1];
    private final int[] children = new int[BerWalker.MAX_DEPTH + 1];
    private final boolean[] indefinite = new boolean[BerWalker.MAX_DEPTH + 1];
    private int indefiniteOpen;
    private Field lastField;
    private int ciphertextNesting;
    private boolean ciphertextSeen;

    /** The ContentInfo's content type, collected as it goes by (at most {@link EnvelopeProfile#MAX_OID_BYTES}). */
    private final byte[] contentType = new byte[EnvelopeProfile.MAX_OID_BYTES];

    private int contentTypeLength = -1;
    private int contentTypeRead;
    private EnvelopeKind kind;
    private String refusal;

    /** AUTH_ENVELOPED or ENVELOPED once the content type has been read as one of them, else null. */
    EnvelopeKind kind() {
        return kind;
    }

    @Override
    public String refusal() {
        return refusal;
    }

    @Override
    public void start(
            int depth, int tagClass, int tagNumber, boolean constructed, long length, long offset, int headerLength) {
        if (refusal != null) {
            return;
        }
        if (depth >= EnvelopeProfile.MAX_DEPTH) {
            refuse("elements nested deeper than " + EnvelopeProfile.MAX_DEPTH + " at offset " + offset);
            return;
        }
        if (tagClass == UNIVERSAL && tagNumber == OID && length > EnvelopeProfile.MAX_OID_BYTES) {
            refuse("an object identifier of " + length + " bytes at offset " + offset);
            return;
        }
        if (constructed && length < 0 && ++indefiniteOpen > EnvelopeProfile.MAX_INDEFINITE_DEPTH) {
            refuse("more than " + EnvelopeProfile.MAX_INDEFINITE_DEPTH + " nested indefinite lengths at offset "
                    + offset);
            return;
        }
        Node parent = depth == 0 ? null : nodes[depth - 1];
        int index = depth == 0 ? 0 : children[depth - 1]++;
        if (parent == Node.CONTENT_INFO && index == 0 && tagClass == UNIVERSAL && tagNumber == OID) {
            contentTypeLength = (int) length;
        }
        Node node =
                kind == null && depth > 0 ? Node.OTHER : node(parent, index, tagClass, tagNumber, constructed, length);
        if (refusal == null && !ciphertextSeen && kind != null) {
            header(node, constructed, length, offset, headerLength);
        }
        // a primitive element has no children; its entry only tells end() that it was not constructed
        nodes[depth] = constructed ? node : null;
        children[depth] = 0;
        indefinite[depth] = constructed && length < 0;
    }

    /** Before the ciphertext: the header's bytes are bounded, and so is the recipient set. */
    private void header(Node node, boolean constructed, long length, long offset, int headerLength) {
        long end = offset + headerLength + (constructed ? 0 : length);
        if (end > EnvelopeProfile.MAX_HEADER_BYTES
                || (node == Node.RECIPIENT_INFOS
                        && offset + headerLength + length > EnvelopeProfile.MAX_HEADER_BYTES)) {
            refuse("the header (everything before the ciphertext) runs past " + EnvelopeProfile.MAX_HEADER_BYTES
                    + " bytes at offset " + offset);
        }
    }

    @Override
    public void end(int depth, long position) {
        if (indefinite[depth]) {
            indefinite[depth] = false;
            indefiniteOpen--;
        }
        if (nodes[depth] == Node.CIPHERTEXT) {
            ciphertextNesting--;
        }
    }

    @Override
    public void content(int depth, ByteBuffer b, int from, int n) {
        if (contentTypeLength < 0 || contentTypeRead >= contentTypeLength || depth != 1) {
            return;
        }
        int take = Math.min(n, contentTypeLength - contentTypeRead);
        b.duplicate().position(from).get(contentType, contentTypeRead, take);
        contentTypeRead += take;
        if (contentTypeRead == contentTypeLength) {
            byte[] oid = Arrays.copyOf(contentType, contentTypeLength);
            kind = Arrays.equals(oid, AUTH_ENVELOPED)
                    ? EnvelopeKind.AUTH_ENVELOPED
                    : Arrays.equals(oid, ENVELOPED) ? EnvelopeKind.ENVELOPED : null;
        }
    }

    /** What the element is, refusing it when it has no place in the profile. */
    private Node node(Node parent, int index, int tagClass, int tagNumber, boolean constructed, long length) {
        if (parent == null) {
            return Node.CONTENT_INFO;
        }
        return switch (parent) {
            case CONTENT_INFO -> {
                if (index == 1 && tagClass == CONTEXT && tagNumber == 0 && constructed) {
                    yield Node.EXPLICIT_CONTENT;
                }
                yield refuse("a field after the ContentInfo's content type and content");
            }
            case EXPLICIT_CONTENT -> {
                if (index == 0 && is(tagClass, tagNumber, UNIVERSAL, SEQUENCE) && constructed) {
                    yield Node.ENVELOPE;
                }
                yield refuse("a field after the envelope inside the ContentInfo");
            }
            case ENVELOPE -> field(tagClass, tagNumber, constructed, length);
            case RECIPIENT_INFOS -> {
                if (index >= EnvelopeProfile.MAX_RECIPIENTS) {
                    yield refuse("more than " + EnvelopeProfile.MAX_RECIPIENTS + " recipient infos");
                }
                yield Node.OTHER;
            }
            case ENCRYPTED_CONTENT_INFO -> encryptedContentInfo(index, tagClass, tagNumber, constructed);
            case CIPHERTEXT -> {
                if (!is(tagClass, tagNumber, UNIVERSAL, OCTET_STRING)) {
                    yield refuse("a ciphertext chunk that is not an OCTET STRING");
                }
                if (constructed) {
                    if (ciphertextNesting >= EnvelopeProfile.MAX_CIPHERTEXT_NESTING) {
                        yield refuse("ciphertext chunks nested more than " + EnvelopeProfile.MAX_CIPHERTEXT_NESTING
                                + " deep");
                    }
                    ciphertextNesting++;
                    yield Node.CIPHERTEXT;
                }
                yield Node.OTHER;
            }
            case OTHER -> Node.OTHER;
        };
    }

    /** A field of EnvelopedData or AuthEnvelopedData: each once, in order; the clear-text carriers refused. */
    private Node field(int tagClass, int tagNumber, boolean constructed, long length) {
        boolean auth = kind == EnvelopeKind.AUTH_ENVELOPED;
        Field f;
        Node node = Node.OTHER;
        if (is(tagClass, tagNumber, UNIVERSAL, INTEGER) && !constructed) {
            f = Field.VERSION;
        } else if (is(tagClass, tagNumber, CONTEXT, 0)) {
            return refuse("originatorInfo (certificates and CRLs in the clear) is not accepted");
        } else if (is(tagClass, tagNumber, UNIVERSAL, SET) && constructed) {
            f = Field.RECIPIENT_INFOS;
            node = Node.RECIPIENT_INFOS;
        } else if (is(tagClass, tagNumber, UNIVERSAL, SEQUENCE) && constructed) {
            f = Field.ENCRYPTED_CONTENT_INFO;
            node = Node.ENCRYPTED_CONTENT_INFO;
        } else if (auth
                && is(tagClass, tagNumber, CONTEXT, 1)
                && constructed
                && length >= 0
                && length <= EnvelopeProfile.MAX_AUTH_ATTRS_BYTES) {
            // only the content type RFC 5083 requires of non-data content; EnvelopeReader checks the value
            f = Field.AUTH_ATTRS;
        } else if (is(tagClass, tagNumber, CONTEXT, 1)) {
            return refuse(
                    auth
                            ? "authenticated attributes (authAttrs, readable in the clear) other than the content"
                                    + " type are not accepted"
                            : "unprotected attributes (unprotectedAttrs, readable in the clear) are not accepted");
        } else if (auth && is(tagClass, tagNumber, CONTEXT, 2)) {
            return refuse("unauthenticated attributes (unauthAttrs, readable in the clear) are not accepted");
        } else if (auth && is(tagClass, tagNumber, UNIVERSAL, OCTET_STRING)) {
            f = Field.MAC;
            mac(constructed, length);
        } else {
            return refuse("an unexpected field [" + tagClass + "/" + tagNumber + "] in the envelope");
        }
        if (lastField != null && f.ordinal() <= lastField.ordinal()) {
            return refuse("the envelope's field " + f + " out of order or repeated");
        }
        lastField = f;
        return node;
    }

    /** The mac must be the whole 16-byte GCM tag; its length is known from its header. */
    private void mac(boolean constructed, long length) {
        if (constructed || length != EnvelopeProfile.GCM_ICV_BYTES) {
            refuse("a GCM tag (mac) of " + (constructed ? "chunked" : length + " bytes") + " ("
                    + EnvelopeProfile.GCM_ICV_BYTES + " required)");
        }
    }

    private Node encryptedContentInfo(int index, int tagClass, int tagNumber, boolean constructed) {
        return switch (index) {
            case 0 ->
                is(tagClass, tagNumber, UNIVERSAL, OID) ? Node.OTHER : refuse("a content type that is not an OID");
            case 1 ->
                is(tagClass, tagNumber, UNIVERSAL, SEQUENCE) && constructed
                        ? Node.OTHER
                        : refuse("a content-encryption algorithm that is not a SEQUENCE");
            case 2 -> {
                if (!is(tagClass, tagNumber, CONTEXT, 0)) {
                    yield refuse("an encrypted content that is not [0]");
                }
                ciphertextSeen = true;
                if (constructed) {
                    ciphertextNesting = 1;
                    yield Node.CIPHERTEXT;
                }
                yield Node.OTHER;
            }
            default -> refuse("a field after the encrypted content");
        };
    }

    private Node refuse(String why) {
        if (refusal == null) {
            refusal = why;
        }
        return Node.OTHER;
    }

    private static boolean is(int tagClass, int tagNumber, int wantClass, int wantNumber) {
        return tagClass == wantClass && tagNumber == wantNumber;
    }

    private static byte[] contentOctets(ASN1ObjectIdentifier oid) {
        try {
            byte[] der = oid.getEncoded();
            return Arrays.copyOfRange(der, 2, der.length); // one identifier byte, one length byte
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
