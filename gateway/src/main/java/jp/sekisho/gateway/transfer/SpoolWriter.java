package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Appends one PATCH's body to its upload's spool file, off the event loop. The event loop copies
 * the body into 1 MiB buffers and goes on decrypting; each full buffer is fed to the upload's
 * {@link RunningCheck} (SHA-256 and envelope scan, in byte order) by one task and written by
 * another, side by side, so hashing and disk never wait for each other.
 *
 * <p>Back-pressure without blocking: {@link #write} never waits. Four buffers in flight
 * ({@code IN_FLIGHT}) is a soft limit; a piece that goes past it is still taken, so memory stays
 * bounded by {@code IN_FLIGHT} buffers plus what one socket read delivers, provided the caller keeps this
 * contract: after a write, if {@link #hasRoom()} is false, turn autoRead off and turn it back on
 * in {@link #whenRoom(Runnable)}.
 *
 * <p>Where the spool allows it ({@link Spool#directIo()}) the full buffers are written with
 * O_DIRECT in whole aligned blocks: the gateway does not read an upload back while it arrives, and
 * copying it into page-cache pages cost more CPU than the TLS decryption on the machines measured
 * (docs/benchmarks.md). A partial last block goes through the page cache at {@link #sync()} and is
 * written again, whole, by the next direct write. Without direct I/O, writes go through the page
 * cache and writeback starts every 64 MiB, so that the fsync that ends the PATCH finds little left.
 *
 * <p>Used by one thread at a time (the PATCH's), apart from the writer tasks it starts itself.
 */
final class SpoolWriter implements AutoCloseable {

    static final int BUFFER = 1 << 20;
    /** Alignment of O_DIRECT buffers, offsets and lengths; {@link Spool#directIo()} checks the file system's. */
    static final int ALIGN = 4096;
    /** Buffers in flight before {@link #hasRoom()} turns false (a soft limit: see the class comment). */
    static final int IN_FLIGHT = 4;

    private final FileChannel channel;
    /** The same file opened with O_DIRECT, or null. */
    private final FileChannel direct;

    private final int block;
    private final Executor writer;
    /** Page-cache mode only (null with direct I/O). */
    private final Writeback writeback;
    /** Buffers handed off and not yet both checked and written; may exceed IN_FLIGHT (a soft limit). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Run once each, on whichever thread frees a slot (or by {@link #whenRoom} itself when one is free). */
    private final Queue<Runnable> roomWaiters = new ConcurrentLinkedQueue<>();
    /** The last check task and the last write task: each chain runs in byte order. */
    private CompletableFuture<Void> checking = CompletableFuture.completedFuture(null);

    private CompletableFuture<Void> writing = CompletableFuture.completedFuture(null);
    /** The first write error; every later call reports it. Set by writer tasks, read by the owner. */
    private volatile IOException failure;
    /** Fed by the check tasks in order, by the owner once they are done; null once it may not match the file. */
    private volatile RunningCheck running;

    /** The buffer being filled, which starts at file offset {@code fillingAt}. */
    private ByteBuffer filling;

    private long fillingAt;
    /** {@code filling[0, checked)} was fed to {@link #running} already (a partial block kept at a sync). */
    private int checked;

    /**
     * @param channel  the spool file, open for writing and reading, already cut back to {@code offset}
     * @param direct   the same file opened with O_DIRECT, or null to write through the page cache
     * @param running  the check that covers exactly {@code [0, offset)}, or null
     */
    SpoolWriter(
            FileChannel channel,
            FileChannel direct,
            long offset,
            RunningCheck running,
            Executor writer,
            ExecutorService writeback)
            throws IOException {
        this.channel = channel;
        this.direct = direct;
        this.block = direct == null ? 1 : ALIGN;
        this.writer = writer;
        this.writeback = direct == null ? new Writeback(channel, writeback) : null;
        this.running = running;
        refill(offset);
    }

    /** Takes all of {@code src} at once, never blocking; it may be written later, by the writer thread. */
    void write(ByteBuffer src) throws IOException {
        throwIfFailed();
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), filling.remaining());
            filling.put(filling.position(), src, src.position(), n);
            filling.position(filling.position() + n);
            src.position(src.position() + n);
            if (!filling.hasRemaining()) {
                handOff();
            }
        }
    }

    private void handOff() throws IOException {
        ByteBuffer next = SpoolBuffers.take();
        Piece piece = new Piece(filling.flip(), fillingAt, checked);
        filling = next;
        fillingAt += piece.bytes.limit();
        checked = 0;
        inFlight.incrementAndGet();
        try {
            // each from a stage that always completes normally: a task that never ran would never free its slot
            checking = checking.exceptionally(e -> null).thenRunAsync(() -> check(piece), writer);
            writing = writing.exceptionally(e -> null).thenRunAsync(() -> writeOut(piece), writer);
        } catch (RejectedExecutionException e) {
            throw fail(new IOException("the gateway is shutting down"));
        }
    }

    /** True when a buffer slot is free now: the next full buffer stays within the soft limit. */
    boolean hasRoom() {
        return inFlight.get() < IN_FLIGHT;
    }

    /**
     * Runs {@code r} once, on any thread, as soon as a buffer slot is free; at once (on this thread)
     * if one is free now. The PATCH handler turns autoRead off when {@code !hasRoom()} after a
     * write and back on in {@code r}.
     */
    void whenRoom(Runnable r) {
        roomWaiters.add(r);
        if (hasRoom()) {
            runRoomWaiters();
        }
    }

    /** Each waiter is polled by exactly one thread, so it runs once however many threads free slots. */
    private void runRoomWaiters() {
        Runnable r;
        while (hasRoom() && (r = roomWaiters.poll()) != null) {
            r.run();
        }
    }

    /** A full buffer on its way: checked by one task, written by another; freed when both are done. */
    private final class Piece {
        final ByteBuffer bytes;
        final long at;
        /** Where the bytes not yet checked start (the first buffer after a sync repeats a partial block). */
        final int checkFrom;

        private final AtomicInteger left = new AtomicInteger(2);

        Piece(ByteBuffer bytes, long at, int checkFrom) {
            this.bytes = bytes;
            this.at = at;
            this.checkFrom = checkFrom;
        }

        void done() {
            if (left.decrementAndGet() == 0) {
                SpoolBuffers.give(bytes);
                inFlight.decrementAndGet();
                runRoomWaiters();
            }
        }
    }

    private void check(Piece p) {
        try {
            RunningCheck r = running;
            if (r != null && failure == null) {
                r.update(p.bytes.duplicate().position(p.checkFrom));
            }
        } catch (RuntimeException e) {
            fail(new IOException(e));
        } finally {
            p.done();
        }
    }

    private void writeOut(Piece p) {
        try {
            if (failure == null) {
                writeAt(p.bytes, p.at);
            }
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e));
        } finally {
            p.done();
        }
    }

    private void writeAt(ByteBuffer b, long at) throws IOException {
        ByteBuffer bytes = b.duplicate();
        FileChannel ch = direct != null && bytes.remaining() % block == 0 ? direct : channel;
        long position = at;
        while (bytes.hasRemaining()) {
            position += ch.write(bytes, position);
        }
        if (writeback != null) {
            writeback.wrote(b.remaining());
        }
    }

    /**
     * Makes every byte taken so far durable: waits for the writer, writes what is still buffered
     * and forces the file. What stays buffered is only the partial last block, for direct I/O.
     */
    void sync() throws IOException {
        drain();
        throwIfFailed();
        try {
            int length = filling.position();
            if (length > checked) {
                RunningCheck r = running;
                if (r != null) {
                    r.update(filling.duplicate().position(checked).limit(length));
                }
                checked = length;
            }
            int whole = length - length % block;
            if (whole > 0) {
                writeAt(filling.duplicate().position(0).limit(whole), fillingAt);
            }
            if (length > whole) {
                writeAt(filling.duplicate().position(whole).limit(length), fillingAt + whole);
            }
            if (writeback != null) {
                writeback.await();
                writeback.throwIfFailed();
            }
            channel.force(true);
            // keep the partial block at the start of the buffer, where the next direct write begins
            filling.put(0, filling, whole, length - whole).position(length - whole);
            fillingAt += whole;
            checked = length - whole;
        } catch (IOException | RuntimeException e) {
            throw fail(e instanceof IOException io ? io : new IOException(e));
        }
    }

    /**
     * Cuts the file back to {@code offset} (a discarded chunk) and goes on from there with
     * {@code restored}, the check as it stood at that offset (or null).
     */
    void cutBack(long offset, RunningCheck restored) throws IOException {
        drain();
        awaitWriteback();
        failure = null;
        running = restored;
        SpoolBuffers.give(filling);
        filling = null;
        try {
            channel.truncate(offset);
            channel.force(true);
            refill(offset);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** The check over everything taken, after a {@link #sync()}; null when it may not match the file. */
    RunningCheck running() {
        return running;
    }

    /** Starts the buffer at the block that holds {@code offset}, with the bytes of that block already in the file. */
    private void refill(long offset) throws IOException {
        fillingAt = offset - offset % block;
        filling = SpoolBuffers.take();
        int kept = (int) (offset - fillingAt);
        ByteBuffer head = filling.duplicate().limit(kept);
        while (head.hasRemaining()) {
            if (channel.read(head, fillingAt + head.position()) < 0) {
                throw new IOException("the spool file is shorter than its durable offset " + offset);
            }
        }
        filling.position(kept);
        checked = kept;
    }

    /** Waits until every buffer handed off was checked and written (or failed). */
    private void drain() {
        for (CompletableFuture<Void> chain : List.of(checking, writing)) {
            try {
                chain.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                fail(new IOException("a spool task did not run", e));
            }
        }
    }

    private void awaitWriteback() {
        if (writeback != null) {
            writeback.await();
        }
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        running = null; // part of the bytes may be in the file
        return failure;
    }

    private void throwIfFailed() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Waits for the writer and closes the file; what was not synced may or may not be in it. */
    @Override
    public void close() {
        drain();
        awaitWriteback();
        SpoolBuffers.give(filling);
        filling = null;
        for (FileChannel ch : new FileChannel[] {direct, channel}) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing to keep
                }
            }
        }
    }
}
