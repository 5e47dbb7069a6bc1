package jp.sekisho.envelope;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A push parser for the TLV structure of one BER element, fed bytes as they arrive: it reports where
 * each element starts and ends and steps over primitive contents without looking at them, so that
 * walking a gigabyte of ciphertext costs a few operations per BER chunk. It checks only the framing
 * (lengths nest, end-of-contents only inside indefinite lengths, nothing after the outermost
 * element); what the elements mean is the {@link Listener}'s business. After the first framing
 * error it ignores the rest ({@link #failure()} says what went wrong).
 */
final class BerWalker {

    /** Told about each element as its identifier and length have been read, and when it ends. */
    interface Listener {
        /**
         * {@code length} is -1 for an indefinite length; {@code depth} 0 is the outermost element;
         * the element's identifier and length take {@code headerLength} bytes from {@code offset}.
         */
        void start(
                int depth,
                int tagClass,
                int tagNumber,
                boolean constructed,
                long length,
                long offset,
                int headerLength);

        /** {@code position} is the offset just past the element's last byte. */
        void end(int depth, long position);

        /** The next {@code n} content bytes of the primitive element at {@code depth}, from {@code b[from]}. */
        default void content(int depth, ByteBuffer b, int from, int n) {}

        /**
         * Why the listener refuses what it was told so far, or null: the walk then stops, at the
         * start of the element it refused ({@link #stoppedAt()}).
         */
        default String refusal() {
            return null;
        }
    }

    /**
     * Deeper than this, any walk stops: the depth-indexed arrays of the walker and its listeners
     * must not grow with an upload of nothing but constructed headers. {@link EnvelopeProfile}'s
     * bound is far lower; this one only protects the walker itself.
     */
    static final int MAX_DEPTH = 64;

    private enum State {
        TAG,
        TAG_MORE,
        LENGTH,
        LENGTH_MORE,
        CONTENT,
        DONE,
        FAILED
    }

    private static final long INDEFINITE = -1;

    private final Listener listener;
    private State state = State.TAG;
    private long position;
    /** The end offset of each open constructed element, {@link #INDEFINITE} for an indefinite length. */
    private long[] ends = new long[16];

    private int depth;

    // the element being read
    private long elementStart;
    private int identifier;
    private int tagNumber;
    private int tagBytes;
    private long length;
    private int lengthBytes;
    private long contentLeft;
    private String failure;
    /** Where the walk stopped because the listener refused: the start of the refused element; -1 otherwise. */
    private long stoppedAt = -1;

    BerWalker(Listener listener) {
        this.listener = listener;
    }

    private BerWalker(BerWalker from, Listener listener) {
        this.listener = listener;
        this.state = from.state;
        this.position = from.position;
        this.ends = Arrays.copyOf(from.ends, from.ends.length);
        this.depth = from.depth;
        this.elementStart = from.elementStart;
        this.identifier = from.identifier;
        this.tagNumber = from.tagNumber;
        this.tagBytes = from.tagBytes;
        this.length = from.length;
        this.lengthBytes = from.lengthBytes;
        this.contentLeft = from.contentLeft;
        this.failure = from.failure;
        this.stoppedAt = from.stoppedAt;
    }

    /** The same walk at the same point, reporting to {@code listener} from now on. */
    BerWalker copy(Listener listener) {
        return new BerWalker(this, listener);
    }

    /** True once the outermost element has ended (and nothing followed it). */
    boolean done() {
        return state == State.DONE;
    }

    /** The offset of the element the listener refused, or -1 when it refused nothing. */
    long stoppedAt() {
        return stoppedAt;
    }

    /** What broke the framing, or null. */
    String failure() {
        return failure;
    }

    /** Walks the bytes {@code b} holds, without moving its position. */
    void update(ByteBuffer b) {
        int i = b.position();
        int limit = b.limit();
        while (i < limit && state != State.FAILED) {
            if (state == State.CONTENT) {
                int n = (int) Math.min(contentLeft, limit - i);
                listener.content(depth, b, i, n);
                i += n;
                position += n;
                contentLeft -= n;
                if (contentLeft == 0) {
                    listener.end(depth, position);
                    closeFinished();
                }
            } else {
                step(b.get(i++) & 0xff);
            }
        }
    }

    /** One byte of an identifier or a length. */
    private void step(int v) {
        position++;
        switch (state) {
            case TAG -> {
                elementStart = position - 1;
                identifier = v;
                tagBytes = 1;
                if ((v & 0x1f) == 0x1f) {
                    tagNumber = 0;
                    state = State.TAG_MORE;
                } else {
                    tagNumber = v & 0x1f;
                    state = State.LENGTH;
                }
            }
            case TAG_MORE -> {
                if (++tagBytes > 5 || (tagNumber == 0 && v == 0x80)) {
                    fail("tag number too long or not minimal at offset " + elementStart);
                    return;
                }
                tagNumber = (tagNumber << 7) | (v & 0x7f);
                if ((v & 0x80) == 0) {
                    state = State.LENGTH;
                }
            }
            case LENGTH -> {
                if (v == 0x80) {
                    length = INDEFINITE;
                    header();
                } else if (v < 0x80) {
                    length = v;
                    header();
                } else {
                    lengthBytes = v & 0x7f;
                    if (lengthBytes > 7) {
                        fail("length of " + lengthBytes + " bytes at offset " + elementStart);
                        return;
                    }
                    length = 0;
                    state = State.LENGTH_MORE;
                }
            }
            case LENGTH_MORE -> {
                length = (length << 8) | v;
                if (--lengthBytes == 0) {
                    header();
                }
            }
            case DONE -> fail("bytes after the end of the outermost element at offset " + (position - 1));
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** Identifier and length are in: an end-of-contents, a constructed element or a primitive one. */
    private void header() {
        boolean constructed = (identifier & 0x20) != 0;
        if (identifier == 0 && tagNumber == 0) {
            if (length != 0 || depth == 0 || ends[depth - 1] != INDEFINITE) {
                fail("end-of-contents outside an indefinite length at offset " + elementStart);
                return;
            }
            if (!withinParent(position)) {
                return;
            }
            depth--;
            listener.end(depth, position);
            closeFinished();
            return;
        }
        if (length == INDEFINITE && !constructed) {
            fail("indefinite length on a primitive element at offset " + elementStart);
            return;
        }
        long end = length == INDEFINITE ? INDEFINITE : position + length;
        if (!withinParent(end == INDEFINITE ? position : end)) {
            return;
        }
        if (constructed && depth == MAX_DEPTH) {
            fail("elements nested deeper than " + MAX_DEPTH + " at offset " + elementStart);
            return;
        }
        listener.start(
                depth, identifier >>> 6, tagNumber, constructed, length, elementStart, (int) (position - elementStart));
        String refused = listener.refusal();
        if (refused != null) {
            stoppedAt = elementStart;
            fail(refused);
            return;
        }
        if (constructed) {
            if (depth == ends.length) {
                ends = Arrays.copyOf(ends, depth * 2);
            }
            ends[depth++] = end;
            closeFinished();
        } else if (length == 0) {
            listener.end(depth, position);
            closeFinished();
        } else {
            contentLeft = length;
            state = State.CONTENT;
        }
    }

    /** After an element: ends every definite-length element whose last byte that was, then reads on. */
    private void closeFinished() {
        while (depth > 0 && ends[depth - 1] == position) {
            depth--;
            listener.end(depth, position);
        }
        state = depth == 0 ? State.DONE : State.TAG;
    }

    /** Whether an element ending at {@code end} fits in the innermost definite-length element around it. */
    private boolean withinParent(long end) {
        for (int d = depth - 1; d >= 0; d--) {
            if (ends[d] != INDEFINITE) {
                if (end > ends[d]) {
                    fail("element at offset " + elementStart + " runs past the end of its parent");
                    return false;
                }
                return true;
            }
        }
        return true;
    }

    private void fail(String why) {
        failure = why;
        state = State.FAILED;
    }
}
