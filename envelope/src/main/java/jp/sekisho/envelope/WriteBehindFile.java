package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The opened plaintext's file, pushed to the disk while it is still being written. A receive fsyncs
 * that file before it places it; a GiB written without this stays dirty in the page cache (below
 * the kernel's background threshold nothing is written for 30 s), and that one fsync was ~2.5 s of
 * waiting on this machine's disk after all the decrypting was done. Every {@value #EVERY_MIB} MiB a
 * second thread asks for what is written so far to reach the disk ({@code fdatasync}), at most one
 * request at a time and never making the writer wait, so the disk works while the CPU decrypts and
 * the final fsync finds little left.
 *
 * <p>It promises nothing by itself: the caller's fsync still makes the file durable. A failed early
 * flush is thrown by {@link #close()}, because Linux reports a write-back error to one fsync only
 * and the caller's later one could otherwise pass. A small file never starts the thread.
 */
final class WriteBehindFile extends OutputStream {

    static final int EVERY_MIB = 32;

    /** Pushes what the channel holds to the disk; {@link FileChannel#force} outside tests. */
    @FunctionalInterface
    interface Flush {
        void run(FileChannel channel) throws IOException;
    }

    private final FileChannel channel;
    private final long every;
    private final Flush flush;
    private final Path file;

    private long written;
    private long requestedAt;
    private boolean closed;

    // shared with the flusher, under this object's monitor
    private Thread flusher;
    private boolean pending;
    private boolean stopping;
    private IOException failure;
    private int flushCount;

    private WriteBehindFile(FileChannel channel, long every, Flush flush, Path file) {
        this.channel = channel;
        this.every = every;
        this.flush = flush;
        this.file = file;
    }

    /** Creates or empties {@code file} (its permissions stay as they are) and writes it from the start. */
    static WriteBehindFile open(Path file) throws IOException {
        return open(file, (long) EVERY_MIB << 20, ch -> ch.force(false));
    }

    static WriteBehindFile open(Path file, long every, Flush flush) throws IOException {
        FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new WriteBehindFile(ch, every, flush, file);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("write after close");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (bb.hasRemaining()) {
            channel.write(bb);
        }
        written += len;
        if (written - requestedAt >= every) {
            request();
        }
    }

    private synchronized void request() {
        if (pending || failure != null) {
            return; // the flush under way takes these bytes too, or the next one will
        }
        pending = true;
        requestedAt = written;
        if (flusher == null) {
            flusher = new Thread(this::flushLoop, "sekisho-write-behind");
            flusher.setDaemon(true);
            flusher.start();
        }
        notifyAll();
    }

    private void flushLoop() {
        while (true) {
            synchronized (this) {
                while (!pending && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return; // nobody interrupts it; if someone does, the caller's fsync still does the work
                    }
                }
                if (!pending) {
                    return;
                }
            }
            IOException failed = null;
            try {
                flush.run(channel);
            } catch (IOException e) {
                failed = e;
            }
            synchronized (this) {
                pending = false;
                flushCount++;
                if (failed != null) {
                    failure = failed;
                    return;
                }
                notifyAll();
            }
        }
    }

    /** Waits for a flush under way, closes the file, and throws what an early flush met. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Thread t;
        synchronized (this) {
            stopping = true;
            notifyAll();
            t = flusher;
        }
        boolean interrupted = false;
        while (t != null && t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true; // the channel must not close under a running fdatasync: wait it out
            }
        }
        channel.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing " + file.getFileName());
        }
        IOException f;
        synchronized (this) {
            f = failure;
        }
        if (f != null) {
            throw new IOException("writing " + file.getFileName() + " to the disk failed: " + f.getMessage(), f);
        }
    }

    /** How many early flushes ran (tests). */
    synchronized int flushes() {
        return flushCount;
    }

    /** Whether the flusher thread was ever started (tests: a small file has none). */
    synchronized boolean startedThread() {
        return flusher != null;
    }
}
