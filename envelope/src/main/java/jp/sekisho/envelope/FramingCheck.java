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
 *
 * <p>The walk also applies the {@link ProfileWalk envelope profile}: at the first element outside it,
 * the stream ends right before that element ({@link #outsideProfile()} says why), so the parser
 * reading through it never sees, let alone builds, anything past a bound.
 */
final class FramingCheck extends FilterInputStream {

    private final ProfileWalk profile = new ProfileWalk();
    private final BerWalker framing = new BerWalker(profile);
    private long passed;
    private boolean ended;
    private boolean cut;
    private boolean sourceFailed;

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

    /**
     * True when reading the underlying stream failed: an I/O error, as opposed to one a parser
     * reading through this stream raised about the bytes.
     */
    boolean sourceFailed() {
        return sourceFailed;
    }

    /** Why the envelope is outside the accepted profile, or null (so far). */
    String outsideProfile() {
        return profile.refusal();
    }

    /** AUTH_ENVELOPED or ENVELOPED when the ContentInfo said so, else null. */
    EnvelopeKind declaredKind() {
        return profile.kind();
    }

    /** Why the bytes are not one whole envelope (when {@link #whole()} is false). */
    String problem() {
        if (outsideProfile() != null) {
            return "outside the accepted profile: " + outsideProfile();
        }
        return "not one whole envelope: "
                + (framing.failure() != null
                        ? framing.failure()
                        : "the envelope ends before its outermost element does");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (cut) {
            ended = true;
            return -1;
        }
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            sourceFailed = true;
            throw e;
        }
        if (n > 0) {
            framing.update(ByteBuffer.wrap(b, off, n));
            long stop = framing.stoppedAt();
            if (stop >= 0 && stop < passed + n) {
                cut = true; // the refused element and all after it are never handed on
                n = (int) (stop - passed);
                if (n == 0) {
                    ended = true;
                    return -1;
                }
            }
            passed += n;
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
    public int available() throws IOException {
        return cut ? 0 : super.available();
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
