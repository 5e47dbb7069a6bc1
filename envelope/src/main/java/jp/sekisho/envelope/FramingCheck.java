package jp.sekisho.envelope;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Passes an envelope through while a {@link BerWalker} follows its framing, to tell afterwards
 * whether the bytes were exactly one whole BER element. BouncyCastle's parsers stop once they have
 * the fields they asked for, so on their own they let bytes after an envelope (plaintext, say) and
 * an envelope missing its closing end-of-contents through. Read it to the end before asking.
 */
final class FramingCheck extends FilterInputStream {

    private static final BerWalker.Listener NO_LISTENER = new BerWalker.Listener() {
        @Override
        public void start(
                int depth,
                int tagClass,
                int tagNumber,
                boolean constructed,
                long length,
                long offset,
                int headerLength) {}

        @Override
        public void end(int depth, long position) {}
    };

    private final BerWalker framing = new BerWalker(NO_LISTENER);
    private boolean ended;

    FramingCheck(InputStream in) {
        super(in);
    }

    /** True when everything read so far is one whole BER element and nothing else. */
    boolean whole() {
        return framing.done() && framing.failure() == null;
    }

    /** True when the input has ended and was not one whole BER element: a truncated or malformed envelope. */
    boolean endedNotWhole() {
        return ended && !whole();
    }

    /** Why the bytes are not one whole envelope (when {@link #whole()} is false). */
    String problem() {
        return "not one whole envelope: "
                + (framing.failure() != null
                        ? framing.failure()
                        : "the envelope ends before its outermost element does");
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            framing.update(ByteBuffer.wrap(new byte[] {(byte) b}));
        } else {
            ended = true;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            framing.update(ByteBuffer.wrap(b, off, n));
        } else if (n < 0) {
            ended = true;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 64 * 1024)];
        return Math.max(read(buf, 0, buf.length), 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
