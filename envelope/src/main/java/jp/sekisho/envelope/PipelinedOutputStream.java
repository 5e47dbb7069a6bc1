package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Hands what is written to a second thread that writes it on to {@code out}, so that the work
 * downstream (the envelope's SHA-256 and the file write) runs on another core than the work
 * upstream (the signature digest, AES and GHASH). A fixed pool of buffers bounds the memory
 * ({@value #BUFFERS} × {@value #BUFFER_SIZE} bytes) and makes a fast producer wait for a slow
 * consumer; they are made as the producer needs them ({@link BufferPool}).
 *
 * <p>{@link #flush()} waits until everything written so far reached {@code out} and was flushed;
 * {@link #close()} does that and ends the thread but does not close {@code out}. A failure
 * downstream is thrown to the producer at its next write, flush or close. {@link #abort()} ends the
 * thread without waiting, for a producer that failed.
 */
final class PipelinedOutputStream extends OutputStream {

    static final int BUFFER_SIZE = 256 * 1024;
    static final int BUFFERS = 8;

    /** A filled buffer, or a request to flush (length −1) or to stop (length −2). */
    private record Chunk(byte[] data, int length) {}

    private static final Chunk FLUSH = new Chunk(null, -1);
    private static final Chunk STOP = new Chunk(null, -2);

    private final OutputStream out;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 2);
    private final BufferPool pool = new BufferPool(BUFFERS, BUFFER_SIZE);
    private final BlockingQueue<Boolean> flushed = new ArrayBlockingQueue<>(1);
    private final Thread writer;

    private volatile Throwable failure;
    private byte[] current;
    private int position;
    private boolean closed;

    PipelinedOutputStream(OutputStream out, String threadName) {
        this.out = out;
        writer = new Thread(this::drain, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (current == null) {
                current = nextBuffer();
                position = 0;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(b, off, current, position, n);
            position += n;
            off += n;
            len -= n;
            if (position == current.length) {
                handOver();
            }
        }
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (current != null && position > 0) {
            handOver();
        }
        put(FLUSH);
        take(flushed);
        rethrow();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            full.offer(STOP);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the writer thread at once; what was not written yet is dropped. */
    void abort() {
        closed = true;
        writer.interrupt();
    }

    private void handOver() throws IOException {
        put(new Chunk(current, position));
        current = null;
    }

    @SuppressWarnings("ReferenceEquality") // FLUSH and STOP are sentinels, recognised by identity
    private void drain() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c == STOP) {
                    return;
                }
                if (c == FLUSH) {
                    if (failure == null) {
                        try {
                            out.flush();
                        } catch (IOException | RuntimeException e) {
                            failure = e;
                        }
                    }
                    flushed.put(Boolean.TRUE);
                    continue;
                }
                if (failure == null) {
                    try {
                        out.write(c.data(), 0, c.length());
                    } catch (IOException | RuntimeException e) {
                        failure = e; // reported to the producer; keep draining so it never blocks
                    }
                }
                pool.giveBack(c.data());
            }
        } catch (InterruptedException e) {
            // aborted
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        if (f != null) {
            throw new IOException("writing the envelope failed: " + f, f);
        }
    }

    /** Buffers allocated so far, for tests (the producer's count). */
    int buffersAllocated() {
        return pool.made();
    }

    /** The pool's next buffer for the producer. */
    private byte[] nextBuffer() throws IOException {
        try {
            return pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private <T> T take(BlockingQueue<T> q) throws IOException {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private void put(Chunk c) throws IOException {
        try {
            full.put(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
