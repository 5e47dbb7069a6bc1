package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@link SpoolWriter}s' 1 MiB direct buffers, aligned for O_DIRECT and kept for reuse:
 * allocating and freeing direct memory per PATCH is slow.
 */
final class SpoolBuffers {

    private static final Queue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final int POOL_MAX = 32;
    /** Buffers taken and not given back: what the uploads in progress hold (tests check the bound). */
    private static final java.util.concurrent.atomic.AtomicInteger OUT =
            new java.util.concurrent.atomic.AtomicInteger();

    private SpoolBuffers() {}

    static ByteBuffer take() throws IOException {
        ByteBuffer b = take0();
        OUT.incrementAndGet();
        return b;
    }

    private static ByteBuffer take0() throws IOException {
        ByteBuffer b = POOL.poll();
        if (b != null) {
            return b.clear();
        }
        try {
            return ByteBuffer.allocateDirect(SpoolWriter.BUFFER + SpoolWriter.ALIGN)
                    .alignedSlice(SpoolWriter.ALIGN)
                    .limit(SpoolWriter.BUFFER)
                    .slice();
        } catch (OutOfMemoryError e) {
            throw new IOException(
                    "no direct memory left for upload buffers (about " + (SpoolWriter.IN_FLIGHT + 1)
                            + " MiB per PATCH in progress): raise -XX:MaxDirectMemorySize or take fewer uploads at once",
                    e);
        }
    }

    /** Buffers held by writers now. */
    static int outstanding() {
        return OUT.get();
    }

    static void give(ByteBuffer b) {
        if (b != null) {
            OUT.decrementAndGet();
        }
        if (b != null && POOL.size() < POOL_MAX) {
            POOL.offer(b);
        }
    }
}
