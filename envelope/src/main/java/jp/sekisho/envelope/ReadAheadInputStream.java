package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads {@code in} on a second thread, ahead of the caller, so that the work behind {@code in} (the
 * file read, AES-CTR and GHASH of a decrypting stream) runs on another core than the caller's (the
 * signature digest and the write of the plaintext). The mirror of {@link PipelinedOutputStream}; a
 * fixed pool of buffers bounds the memory ({@value #BUFFERS} × {@value #BUFFER_SIZE} bytes), made as the
 * reader needs them ({@link BufferPool}).
 *
 * <p>A failure of {@code in} (a GCM tag mismatch at its end, say) reaches the caller as the same
 * exception, at the point in the stream where it happened. {@link #close()} stops the thread and
 * closes {@code in}.
 */
final class ReadAheadInputStream extends InputStream {

    static final int BUFFER_SIZE = 256 * 1024;
    static final int BUFFERS = 8;

    /** Bytes read, or the end (length −1, failure null) or a failure. */
    private record Chunk(byte[] data, int length, Throwable failure) {}

    private final InputStream in;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final BufferPool pool = new BufferPool(BUFFERS, BUFFER_SIZE);
    private final Thread reader;

    private Chunk current;
    private int position;
    private boolean closed;

    ReadAheadInputStream(InputStream in, String threadName) {
        this.in = in;
        reader = new Thread(this::fill, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void fill() {
        try {
            while (true) {
                byte[] buf = pool.take();
                int n = 0;
                int r = 0;
                Throwable failed = null;
                try {
                    while (n < buf.length && (r = in.read(buf, n, buf.length - n)) >= 0) {
                        n += r;
                    }
                } catch (Throwable t) {
                    failed = t;
                }
                if (n > 0) { // the bytes before a failure count: the caller sees them, then the failure
                    full.put(new Chunk(buf, n, null));
                }
                if (failed != null || r < 0) { // there is always room for this last chunk
                    full.put(new Chunk(null, -1, failed));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed by the caller
        }
    }

    /** Buffers allocated so far, for tests. */
    int buffersAllocated() {
        return pool.made();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (current == null || (current.length() >= 0 && position == current.length())) {
            if (current != null) {
                pool.giveBack(current.data());
                current = null; // handed back once: an interrupted take below must not hand it back again
            }
            try {
                current = full.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            position = 0;
        }
        if (current.failure() != null) {
            throw rethrow(current.failure());
        }
        if (current.length() < 0) {
            return -1;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io; // the same instance: callers look for its type and causes
        }
        if (t instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException(t);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            in.close();
        }
    }

    /**
     * Ends the reading thread and waits for it (at most 10 s), without closing {@code in}: afterwards
     * nothing reads {@code in} but the caller, who may read on from wherever the thread stopped (to the
     * end of a decrypting stream, say, where its tag is checked). The thread stops at its next wait, so
     * at most one more buffer of {@code in} is read. This stream is closed.
     *
     * @throws IOException when the thread did not end: {@code in} must then not be read again
     */
    void stop() throws IOException {
        closed = true;
        reader.interrupt();
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean interrupted = false;
        while (reader.isAlive() && System.nanoTime() - deadline < 0) {
            try {
                reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true; // the caller's interrupt waits: returning early would leave two readers of in
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            throw new IOException("the thread " + reader.getName() + " did not stop reading within 10 s");
        }
    }
}
