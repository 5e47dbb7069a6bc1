package jp.sekisho.gateway.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands an export from the thread that reads the store to the HTTP layer, in bounded memory.
 *
 * <p>Not {@link java.io.PipedInputStream}: that one fails the writer with "Read end dead" as soon as
 * the last thread that read from it has ended, and Micronaut reads a streamed body in short tasks on
 * its blocking executor, virtual threads on Java 21+ (which the launcher prefers), each ending after
 * one read. The writer then stopped and closed the pipe, so the client got a 200 whose body simply
 * ended mid-line: the "UNREADABLE: invalid JSON … unexpected end" that {@code audit verify} reported.
 * Here neither side cares which thread the other one is on: the writer stops only when the reader
 * closed the stream, or has taken nothing for {@link #STALL}.
 */
final class ExportPipe {

    /** A client that stopped reading this long releases its snapshot (and its database connection). */
    static final Duration STALL = Duration.ofMinutes(5);

    private static final byte[] EOF = new byte[0];

    private final BlockingQueue<byte[]> chunks;
    private volatile boolean readerClosed;

    /** {@code capacity} chunks of at most 64 KiB each are in flight at most. */
    ExportPipe(int capacity) {
        this.chunks = new ArrayBlockingQueue<>(capacity);
    }

    final OutputStream sink = new OutputStream() {
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("export pipe closed");
            }
            for (int at = off; at < off + len; at += 1 << 16) {
                put(Arrays.copyOfRange(b, at, Math.min(off + len, at + (1 << 16))));
            }
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                if (!readerClosed) {
                    put(EOF);
                }
            }
        }
    };

    final InputStream source = new InputStream() {
        private byte[] current = new byte[0];
        private int pos;
        private boolean eof;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == current.length) {
                if (eof || readerClosed) {
                    return -1;
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the export");
                }
                pos = 0;
                if (current == EOF) {
                    eof = true;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            readerClosed = true; // the client went away: the writer stops at its next chunk
            chunks.clear();
        }
    };

    private void put(byte[] chunk) throws IOException {
        long deadline = System.nanoTime() + STALL.toNanos();
        try {
            while (!chunks.offer(chunk, 1, TimeUnit.SECONDS)) {
                if (readerClosed) {
                    throw new IOException("the client closed the export stream");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the client read nothing for " + STALL.toMinutes() + " minutes");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the export");
        }
        if (readerClosed) {
            chunks.clear();
            throw new IOException("the client closed the export stream");
        }
    }
}
