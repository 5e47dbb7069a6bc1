package jp.sekisho.envelope;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The buffers that circulate between the two threads of {@link ReadAheadInputStream} or {@link
 * PipelinedOutputStream}: at most {@code max} of {@code size} bytes, each made when the filling thread
 * first needs one more rather than up front. A 200 KB envelope then needs one, where the whole pool
 * (2 MiB) cost a cold command ~10 ms: the JVM zeroes and faults in every byte of an array it allocates.
 */
final class BufferPool {

    private final BlockingQueue<byte[]> free;
    private final int max;
    private final int size;
    /** Buffers made so far; written by the filling thread only, volatile for tests that watch it. */
    private volatile int made;

    BufferPool(int max, int size) {
        this.free = new ArrayBlockingQueue<>(max);
        this.max = max;
        this.size = size;
    }

    /**
     * A buffer handed back, a new one while fewer than {@code max} exist, else the next one handed
     * back. Called by the filling thread only.
     */
    byte[] take() throws InterruptedException {
        byte[] buf = free.poll();
        if (buf != null) {
            return buf;
        }
        int n = made;
        if (n < max) {
            made = n + 1; // one writer: no lost update
            return new byte[size];
        }
        return free.take();
    }

    /** Hands a buffer back; never blocks, since no more than {@code max} exist. */
    void giveBack(byte[] buf) {
        free.add(buf);
    }

    /** Buffers made so far, for tests. */
    int made() {
        return made;
    }
}
