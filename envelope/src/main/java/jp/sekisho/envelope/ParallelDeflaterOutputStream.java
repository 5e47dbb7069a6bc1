package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

/**
 * One zlib stream (RFC 1950), compressed on several cores the way pigz does it: the input is cut into
 * blocks of {@value #BLOCK} bytes, each block is deflated on its own thread with the previous block's
 * last 32 KiB as its dictionary (so the ratio stays within a fraction of a percent of one deflater's),
 * and ends in a sync flush, which leaves the raw deflate output on a byte boundary with no final bit;
 * the blocks' outputs, written in order behind one zlib header and followed by the Adler-32 of the
 * whole input, are one valid stream that any inflater reads. At zlib level 1 deflating is the slowest
 * step of sealing a CSV (~130 MB/s on one core), so this is where a second core pays.
 *
 * <p>Each block may have its own level, which is what makes the stream adapt to the link: when
 * {@code maxLevel} is above {@code level}, blocks are deflated at {@code level} while the deflaters
 * are what the writer waits for (a fast link, or a file on disk), and at {@code maxLevel} while
 * {@code out} is (a slow link whose socket buffers are full, or an upload that follows the envelope
 * file and says it is behind, {@link Backlog}): there the stronger level costs no time,
 * since the deflaters still keep ahead of the link, and every byte it saves is a byte less to send and
 * to fetch. Which one a block gets is decided from moving averages of the two waits, with hysteresis.
 *
 * <p>Memory is bounded: at most {@code 2 × threads} blocks are in flight, and a writer that gets ahead
 * waits for the oldest. An input of one block or less is deflated on the calling thread, with no
 * thread started. Like {@link java.util.zip.DeflaterOutputStream}, {@link #close()} finishes the
 * stream and closes {@code out}. A failure on a worker is thrown to the writer at its next write or
 * close.
 */
final class ParallelDeflaterOutputStream extends OutputStream {

    /** 256 KiB: small enough to keep both cores busy on a few MiB, large enough that the flushes cost nothing. */
    static final int BLOCK = 256 * 1024;

    /** Deflate's window: what a block may refer back to in the block before it. */
    private static final int DICTIONARY = 32 * 1024;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final OutputStream out;
    private final int level;
    private final int maxLevel;
    private final Backlog backlog;
    private final int threads;
    private int nextLevel; // the level of the next block submitted
    private long waitedOnOutput; // moving averages (nanoseconds per block written) of the writer's two waits
    private long waitedOnDeflate;
    private int blocksAtMaxLevel;
    private final Adler32 adler = new Adler32();
    private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private ThreadPoolExecutor pool; // made when the second block starts
    private byte[] block = new byte[BLOCK];
    private int filled;
    private byte[] dictionary; // the last 32 KiB of the block before, or null for the first
    private boolean headerWritten;
    private boolean closed;

    /**
     * @param threads deflating threads at most (at least 1)
     */
    ParallelDeflaterOutputStream(OutputStream out, int level, int threads) {
        this(out, level, level, threads, null);
    }

    /**
     * @param level    the level of every block while the deflaters are the bottleneck
     * @param maxLevel the level of blocks while {@code out} is (equal to {@code level}: never adapt)
     * @param backlog  whether the output is behind, asked between blocks; null: judged from the
     *                 writer's own waits on {@code out}
     */
    ParallelDeflaterOutputStream(OutputStream out, int level, int maxLevel, int threads, Backlog backlog) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("zlib level must be 1-9, not " + level);
        }
        if (maxLevel < level || maxLevel > 9) {
            throw new IllegalArgumentException("the highest zlib level must be " + level + "-9, not " + maxLevel);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.out = out;
        this.level = level;
        this.maxLevel = maxLevel;
        this.backlog = backlog;
        this.nextLevel = level;
        this.threads = threads;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        adler.update(b, off, len);
        while (len > 0) {
            if (filled == BLOCK) {
                // only now that more follows: the last block is deflated by close(), inline if it is the only one
                submitFullBlock();
            }
            int n = Math.min(len, BLOCK - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Flushes {@code out} only: forcing a deflate flush per call would cost ratio for nothing here. */
    @Override
    public void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (pool == null) {
                // one block or less: no thread
                writeHeader();
                out.write(deflate(block, filled, dictionary, nextLevel, true));
            } else {
                byte[] last = block;
                int lastLength = filled;
                byte[] dict = dictionary;
                int lastLevel = nextLevel;
                inFlight.add(pool.submit(() -> deflate(last, lastLength, dict, lastLevel, true)));
                while (!inFlight.isEmpty()) {
                    writeOldest();
                }
            }
            long sum = adler.getValue();
            out.write(new byte[] {(byte) (sum >>> 24), (byte) (sum >>> 16), (byte) (sum >>> 8), (byte) sum});
            block = null;
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
            out.close();
        }
    }

    private void submitFullBlock() throws IOException {
        if (pool == null) {
            pool = newPool(threads);
        }
        while (inFlight.size() >= 2 * threads) {
            writeOldest();
        }
        byte[] full = block;
        byte[] dict = dictionary;
        int blockLevel = nextLevel;
        if (blockLevel == maxLevel && maxLevel != level) {
            blocksAtMaxLevel++;
        }
        inFlight.add(pool.submit(() -> deflate(full, BLOCK, dict, blockLevel, false)));
        dictionary = Arrays.copyOfRange(full, BLOCK - DICTIONARY, BLOCK);
        block = new byte[BLOCK];
        filled = 0;
        // hand on what is ready, so that the encryption downstream runs alongside the deflaters
        while (!inFlight.isEmpty() && inFlight.peekFirst().isDone()) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Future<byte[]> oldest = inFlight.removeFirst();
        byte[] deflated;
        long start = System.nanoTime();
        try {
            deflated = oldest.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
            throw new InterruptedIOException("interrupted while deflating");
        } catch (ExecutionException e) {
            pool.shutdownNow();
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("deflating failed: " + cause, cause);
        }
        long deflatedAt = System.nanoTime();
        writeHeader();
        out.write(deflated);
        adapt(deflatedAt - start, System.nanoTime() - deflatedAt);
    }

    /** Below this an average wait on {@code out} is noise (a context switch, a GC), not a slow link. */
    private static final long OUTPUT_BOUND_NANOS = 1_000_000;

    /**
     * Chooses the next block's level from what the writer waited for: {@code maxLevel} once waiting on
     * {@code out} dominates (four times the wait on the deflaters, and a millisecond a block), back to
     * {@code level} once the deflaters are waited for more than {@code out}.
     */
    private void adapt(long deflateWait, long outputWait) {
        if (maxLevel == level) {
            return;
        }
        if (backlog != null) {
            // the output is a file an upload follows: the upload says whether it is behind
            nextLevel = backlog.behind() ? maxLevel : level;
            return;
        }
        waitedOnDeflate += (deflateWait - waitedOnDeflate) / 8;
        waitedOnOutput += (outputWait - waitedOnOutput) / 8;
        if (nextLevel == level) {
            if (waitedOnOutput > OUTPUT_BOUND_NANOS && waitedOnOutput > 4 * waitedOnDeflate) {
                nextLevel = maxLevel;
            }
        } else if (waitedOnDeflate > waitedOnOutput) {
            nextLevel = level;
        }
    }

    /** Blocks deflated at the higher level so far because the output was the bottleneck (tests, logs). */
    int blocksAtMaxLevel() {
        return blocksAtMaxLevel;
    }

    private void writeHeader() throws IOException {
        if (!headerWritten) {
            headerWritten = true;
            out.write(zlibHeader(level));
        }
    }

    /**
     * The two bytes zlib writes first: deflate with a 32 KiB window, no preset dictionary, and the
     * level's FLEVEL hint, padded so that the pair is a multiple of 31 (RFC 1950 section 2.2).
     */
    static byte[] zlibHeader(int level) {
        int flevel = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
        int header = (0x78 << 8) | (flevel << 6);
        header += 31 - header % 31;
        return new byte[] {(byte) (header >>> 8), (byte) header};
    }

    /**
     * Raw deflate of {@code data[0..length)}, primed with {@code dictionary}: ending the stream when
     * {@code last}, else with a sync flush (byte-aligned, no final block) so that the next block's
     * output can follow it.
     */
    static byte[] deflate(byte[] data, int length, byte[] dictionary, int level, boolean last) {
        Deflater deflater = new Deflater(level, true);
        try {
            if (dictionary != null) {
                deflater.setDictionary(dictionary);
            }
            deflater.setInput(data, 0, length);
            byte[] result = new byte[Math.max(64, length / 2)];
            int size = 0;
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    if (size == result.length) {
                        result = Arrays.copyOf(result, result.length * 2);
                    }
                    size += deflater.deflate(result, size, result.length - size);
                }
            } else {
                int n;
                do {
                    if (size == result.length) {
                        result = Arrays.copyOf(result, result.length * 2);
                    }
                    n = deflater.deflate(result, size, result.length - size, Deflater.SYNC_FLUSH);
                    size += n;
                } while (size == result.length); // a full buffer may hide more output
            }
            return size == result.length ? result : Arrays.copyOf(result, size);
        } finally {
            deflater.end();
        }
    }

    private static ThreadPoolExecutor newPool(int threads) {
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sekisho-deflate-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // a stream abandoned without close (its writer failed) leaves no thread behind for long
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
