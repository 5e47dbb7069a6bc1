package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;

/**
 * The plaintext side of a streaming decryptor: serves what {@link #fill()} decrypted into
 * {@link #out}, one chunk at a time, so the CBC and GCM decryptors only say how a chunk is made.
 */
abstract class DecryptingStream extends InputStream {

    protected final byte[] out;
    private int pos;
    private int limit;
    private boolean ended;

    DecryptingStream(int bufferSize) {
        this.out = new byte[bufferSize];
    }

    /**
     * Decrypts the next piece of input into {@code out} and returns how many bytes it holds (0 is
     * allowed). At the end of the input it calls {@link #end()} (and may still return final bytes).
     */
    protected abstract int fill() throws IOException;

    protected final void end() {
        ended = true;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == limit) {
            if (ended) {
                return -1;
            }
            limit = fill();
            pos = 0;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(out, pos, b, off, n);
        pos += n;
        return n;
    }
}
