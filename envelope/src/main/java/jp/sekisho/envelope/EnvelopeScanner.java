package jp.sekisho.envelope;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@link EnvelopeInspector#inspect} of an upload as its bytes go by, so that the gateway need not
 * read a stored gigabyte again to check it.
 *
 * <p>It keeps the envelope's header (the bytes before the ciphertext, a few KB) and its trailer
 * (what follows the ciphertext: attributes, the GCM tag, the closing end-of-contents), and walks
 * the BER framing of the ciphertext in between without reading it. At the end, the inspector itself
 * reads a stand-in: header + an empty ciphertext + trailer, with the definite lengths around the
 * ciphertext shortened to match. Every rule it applies to those parts applies here unchanged; only
 * the ciphertext's length comes from the walk.
 *
 * <p>It vouches only for what it fully understands: a plain envelope that the inspector finds
 * complete, in definite or indefinite lengths (as {@link Sealer}, {@code openssl cms} and
 * {@code openssl cms -stream} write them), or whose complete header breaks the profile's bounds on
 * its values. For anything else (malformed, truncated, trailing bytes, nested ciphertext chunks,
 * outsized header or trailer, a field the profile refuses) {@link #result()} is empty and the
 * caller reads the envelope with {@link EnvelopeInspector#inspect}, which names the problem.
 * EnvelopeScannerTest checks that a result, when there is one, equals the inspector's.
 */
public final class EnvelopeScanner {

    /** Headers and trailers are a few KB (no certificates in them); past this, leave it to the inspector. */
    static final int KEEP_LIMIT = 1024 * 1024;

    private static final int UNIVERSAL = 0;
    private static final int CONTEXT = 2;
    private static final int INTEGER = 2;
    private static final int OCTET_STRING = 4;
    private static final int OID = 6;
    private static final int SEQUENCE = 16;
    private static final int SET = 17;
    /** [0] IMPLICIT OCTET STRING with no octets: the stand-in's ciphertext. */
    private static final byte[] EMPTY_CIPHERTEXT = {(byte) 0x80, 0};

    /** An element around the ciphertext: where it starts, its header's size, its length (-1: indefinite). */
    private record Around(long start, int headerLength, long length) {}

    /** What an open element is, as far as finding the ciphertext goes. */
    private enum Node {
        CONTENT_INFO,
        EXPLICIT_CONTENT,
        ENVELOPED,
        ENCRYPTED_CONTENT_INFO,
        CIPHERTEXT,
        OTHER
    }

    /** The children of EnvelopedData / AuthEnvelopedData up to the EncryptedContentInfo. */
    private enum Field {
        VERSION,
        ORIGINATOR,
        RECIPIENTS,
        ENCRYPTED_CONTENT_INFO
    }

    private final Shape shape;
    private final BerWalker walker;
    private long fed;

    public EnvelopeScanner() {
        shape = new Shape();
        walker = new BerWalker(shape);
    }

    private EnvelopeScanner(EnvelopeScanner from) {
        shape = from.shape.copy();
        walker = from.walker.copy(shape);
        fed = from.fed;
    }

    /** A scanner at the same point, to go back to when the bytes fed after it are cut off again. */
    public EnvelopeScanner copy() {
        return new EnvelopeScanner(this);
    }

    /** Scans the bytes {@code b} holds, without moving its position. */
    public void update(ByteBuffer b) {
        long at = fed;
        if (!shape.unsupported && !shape.headerKept()) {
            shape.keepHeader(b);
        }
        walker.update(b);
        fed += b.remaining();
        if (!shape.unsupported && shape.ciphertextEnd >= 0) {
            shape.keepTrailer(b, at);
        }
    }

    /**
     * The inspection of the bytes fed so far, taken as the whole envelope; empty when this scanner
     * cannot vouch for it, and then only {@link EnvelopeInspector#inspect} can say.
     */
    public Optional<Inspection> result() {
        if (!walker.done() || shape.unsupported || shape.ciphertextEnd < 0) {
            return Optional.empty();
        }
        Inspection stub = EnvelopeInspector.inspect(new java.io.ByteArrayInputStream(shape.standIn()));
        if (!stub.complete() || !stub.contentPresent() || stub.problem() != null || stub.encryptedContentBytes() != 0) {
            return Optional.empty();
        }
        return Optional.of(new Inspection(
                stub.kind(),
                stub.contentTypeOid(),
                stub.contentCipherOid(),
                stub.contentCipherName(),
                stub.keyBits(),
                stub.recipients(),
                shape.ciphertextBytes,
                true,
                true,
                null,
                stub.outsideProfile(), // a value over its bound in a whole header: the profile's verdict
                stub.encryptedContentTypeOid()));
    }

    /** Follows the elements the walker reports, finds the ciphertext and keeps what surrounds it. */
    private static final class Shape implements BerWalker.Listener {
        private Node[] nodes = new Node[16];
        private int[] children = new int[16];
        private Field lastField;
        /** ContentInfo, its [0], the EnvelopedData and the EncryptedContentInfo, outermost first. */
        private Around[] around = new Around[4];

        private int arounds;
        /** The first bytes of the envelope, up to the ciphertext once it has been found. */
        byte[] header = new byte[4096];

        int kept;
        long ciphertextStart = -1;
        int ciphertextDepth;
        long ciphertextBytes;
        /** Just past the ciphertext element; -1 until it has ended. */
        long ciphertextEnd = -1;

        ByteArrayOutputStream trailer = new ByteArrayOutputStream();
        boolean unsupported;

        Shape copy() {
            Shape s = new Shape();
            s.nodes = nodes.clone();
            s.children = children.clone();
            s.lastField = lastField;
            s.around = around.clone();
            s.arounds = arounds;
            s.header = headerKept() ? header : header.clone(); // a kept header no longer changes: share it
            s.kept = kept;
            s.ciphertextStart = ciphertextStart;
            s.ciphertextDepth = ciphertextDepth;
            s.ciphertextBytes = ciphertextBytes;
            s.ciphertextEnd = ciphertextEnd;
            s.trailer.writeBytes(trailer.toByteArray());
            s.unsupported = unsupported;
            return s;
        }

        /** True once the header is all in: the ciphertext has started, or the limit is reached. */
        boolean headerKept() {
            return kept == keepUpTo();
        }

        private int keepUpTo() {
            return (int) (ciphertextStart < 0 ? KEEP_LIMIT : ciphertextStart);
        }

        /** Keeps the bytes of {@code b} that may belong to the header, which starts at offset 0. */
        void keepHeader(ByteBuffer b) {
            int n = Math.min(b.remaining(), keepUpTo() - kept);
            if (kept + n > header.length) {
                header = Arrays.copyOf(header, Math.max(header.length * 2, kept + n));
            }
            b.duplicate().get(header, kept, n);
            kept += n;
        }

        /** Keeps the bytes of {@code b} (which starts at offset {@code at}) that come after the ciphertext. */
        void keepTrailer(ByteBuffer b, long at) {
            long from = Math.max(at, ciphertextEnd);
            int n = (int) (at + b.remaining() - from);
            if (n <= 0) {
                return;
            }
            if (trailer.size() + n > KEEP_LIMIT) {
                unsupported();
                return;
            }
            ByteBuffer tail = b.duplicate();
            tail.position(tail.position() + (int) (from - at));
            byte[] bytes = new byte[n];
            tail.get(bytes);
            trailer.writeBytes(bytes);
        }

        /**
         * The envelope with an empty ciphertext: the header, with every definite length around the
         * ciphertext shortened by what was left out (innermost first, as a shorter length field
         * shortens its parent too), then {@code [0]} with no octets, then the trailer.
         */
        byte[] standIn() {
            byte[][] headers = new byte[arounds][];
            long removed = (ciphertextEnd - ciphertextStart) - EMPTY_CIPHERTEXT.length;
            for (int i = arounds - 1; i >= 0; i--) {
                Around a = around[i];
                if (a.length() < 0) {
                    headers[i] = Arrays.copyOfRange(header, (int) a.start(), (int) a.start() + a.headerLength());
                } else {
                    headers[i] = definiteHeader(header[(int) a.start()], a.length() - removed);
                    removed += a.headerLength() - headers[i].length;
                }
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(kept + trailer.size());
            for (int i = 0; i < arounds; i++) {
                Around a = around[i];
                out.writeBytes(headers[i]);
                long contentStart = a.start() + a.headerLength();
                long next = i + 1 < arounds ? around[i + 1].start() : ciphertextStart;
                out.write(header, (int) contentStart, (int) (next - contentStart));
            }
            out.writeBytes(EMPTY_CIPHERTEXT);
            out.writeBytes(trailer.toByteArray());
            return out.toByteArray();
        }

        /** A one-byte identifier and a definite length in DER's shortest form. */
        private static byte[] definiteHeader(byte identifier, long length) {
            if (length < 0x80) {
                return new byte[] {identifier, (byte) length};
            }
            int n = (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
            byte[] h = new byte[2 + n];
            h[0] = identifier;
            h[1] = (byte) (0x80 | n);
            for (int i = 0; i < n; i++) {
                h[2 + i] = (byte) (length >>> (8 * (n - 1 - i)));
            }
            return h;
        }

        @Override
        public void start(
                int depth,
                int tagClass,
                int tagNumber,
                boolean constructed,
                long length,
                long offset,
                int headerLength) {
            if (unsupported) {
                return;
            }
            Node parent = depth == 0 ? null : nodes[depth - 1];
            int index = depth == 0 ? 0 : children[depth - 1]++;
            Node node;
            if (parent == null) {
                node = around(
                        is(tagClass, tagNumber, UNIVERSAL, SEQUENCE), offset, headerLength, length, Node.CONTENT_INFO);
            } else {
                node = switch (parent) {
                    case CONTENT_INFO ->
                        index == 0
                                ? expect(is(tagClass, tagNumber, UNIVERSAL, OID), Node.OTHER)
                                : around(
                                        index == 1 && is(tagClass, tagNumber, CONTEXT, 0),
                                        offset,
                                        headerLength,
                                        length,
                                        Node.EXPLICIT_CONTENT);
                    case EXPLICIT_CONTENT ->
                        around(
                                index == 0 && is(tagClass, tagNumber, UNIVERSAL, SEQUENCE),
                                offset,
                                headerLength,
                                length,
                                Node.ENVELOPED);
                    case ENVELOPED -> field(tagClass, tagNumber, constructed, length, offset, headerLength);
                    case ENCRYPTED_CONTENT_INFO ->
                        ciphertextInfoChild(index, depth, tagClass, tagNumber, constructed, length, offset);
                    case CIPHERTEXT -> {
                        if (is(tagClass, tagNumber, UNIVERSAL, OCTET_STRING) && !constructed) {
                            ciphertextBytes += length;
                            yield Node.OTHER;
                        }
                        yield unsupported(); // chunks in chunks: legal BER, rare; the inspector handles it
                    }
                    case OTHER -> Node.OTHER;
                };
            }
            if (constructed && !unsupported) {
                if (depth == nodes.length) {
                    nodes = Arrays.copyOf(nodes, depth * 2);
                    children = Arrays.copyOf(children, depth * 2);
                }
                nodes[depth] = node;
                children[depth] = 0;
            }
        }

        @Override
        public void end(int depth, long position) {
            if (ciphertextStart >= 0 && ciphertextEnd < 0 && depth == ciphertextDepth) {
                ciphertextEnd = position;
            }
        }

        /** A child of the EncryptedContentInfo: content type, algorithm, then the ciphertext [0]. */
        private Node ciphertextInfoChild(
                int index, int depth, int tagClass, int tagNumber, boolean constructed, long length, long offset) {
            return switch (index) {
                case 0 -> expect(is(tagClass, tagNumber, UNIVERSAL, OID), Node.OTHER);
                case 1 -> expect(is(tagClass, tagNumber, UNIVERSAL, SEQUENCE), Node.OTHER);
                case 2 -> {
                    if (!is(tagClass, tagNumber, CONTEXT, 0) || offset >= KEEP_LIMIT) {
                        yield unsupported(); // not a ciphertext, or none in the first megabyte
                    }
                    ciphertextStart = offset;
                    ciphertextDepth = depth;
                    kept = (int) Math.min(kept, offset); // the buffer that held its start may have brought more
                    if (constructed) {
                        yield Node.CIPHERTEXT;
                    }
                    ciphertextBytes = length;
                    yield Node.OTHER;
                }
                default -> unsupported();
            };
        }

        /** A child of EnvelopedData / AuthEnvelopedData, in the order RFC 5652 and 5083 give them. */
        private Node field(
                int tagClass, int tagNumber, boolean constructed, long length, long offset, int headerLength) {
            if (lastField == Field.ENCRYPTED_CONTENT_INFO) {
                return Node.OTHER; // the trailer: the inspector reads it
            }
            Field f;
            if (lastField == null && is(tagClass, tagNumber, UNIVERSAL, INTEGER)) {
                f = Field.VERSION;
            } else if (lastField == Field.VERSION && is(tagClass, tagNumber, CONTEXT, 0)) {
                f = Field.ORIGINATOR;
            } else if ((lastField == Field.VERSION || lastField == Field.ORIGINATOR)
                    && is(tagClass, tagNumber, UNIVERSAL, SET)) {
                f = Field.RECIPIENTS;
            } else if (lastField == Field.RECIPIENTS && is(tagClass, tagNumber, UNIVERSAL, SEQUENCE) && constructed) {
                f = Field.ENCRYPTED_CONTENT_INFO;
            } else {
                return unsupported();
            }
            lastField = f;
            return f == Field.ENCRYPTED_CONTENT_INFO
                    ? around(true, offset, headerLength, length, Node.ENCRYPTED_CONTENT_INFO)
                    : Node.OTHER;
        }

        /** An element around the ciphertext, whose length the stand-in may have to shorten. */
        private Node around(boolean ok, long offset, int headerLength, long length, Node node) {
            if (!ok || headerLength > 2 + 8 || arounds == around.length) {
                return unsupported();
            }
            around[arounds++] = new Around(offset, headerLength, length);
            return node;
        }

        private Node expect(boolean ok, Node node) {
            return ok ? node : unsupported();
        }

        private Node unsupported() {
            unsupported = true;
            return Node.OTHER;
        }

        private static boolean is(int tagClass, int tagNumber, int wantClass, int wantNumber) {
            return tagClass == wantClass && tagNumber == wantNumber;
        }
    }
}
