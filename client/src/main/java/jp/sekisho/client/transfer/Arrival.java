package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import jp.sekisho.envelope.Backlog;

/**
 * How far a download has written its partial file (or a seal its envelope), published by the
 * writing thread to a reader that follows the file while it grows. A restart from byte 0 (the gateway ignored the range)
 * starts a new generation: whatever a reader of the old one took is void.
 */
final class Arrival implements Downloader.Listener, Backlog {

    /** A reader further behind the writer than this is behind; one that comes within {@link #CAUGHT_UP} is not. */
    static final long BEHIND = 2 * 1024 * 1024;

    static final long CAUGHT_UP = 512 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long length;
    private int generation;
    private boolean done;
    private Throwable failure;
    private long read; // the furthest position the reader has asked beyond
    private boolean behind;

    @Override
    public void started(long onDisk) {
        publish(() -> length = onDisk);
    }

    @Override
    public void restarted() {
        publish(() -> {
            generation++;
            length = 0;
            read = 0;
        });
    }

    @Override
    public void wrote(long total) {
        publish(() -> length = total);
    }

    /** The download completed: a reader gets end-of-file at the last byte written. */
    void finished() {
        publish(() -> done = true);
    }

    /** The download failed for good: a reader fails too, at once. */
    void failed(Throwable cause) {
        publish(() -> failure = cause);
    }

    /**
     * Whether the reader (an upload following a seal) is more than {@value #BEHIND} bytes behind what
     * was written, with hysteresis: it stays behind until it comes within {@value #CAUGHT_UP}.
     */
    @Override
    public boolean behind() {
        lock.lock();
        try {
            long lag = length - read;
            if (behind ? lag < CAUGHT_UP : lag > BEHIND) {
                behind = !behind;
            }
            return behind;
        } finally {
            lock.unlock();
        }
    }

    int generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the file holds bytes beyond {@code position} in {@code generation} and returns
     * how many it holds, or -1 when the download completed at {@code position}.
     */
    long await(long position, int expectedGeneration) throws IOException {
        lock.lock();
        try {
            read = Math.max(read, position);
            while (true) {
                check(expectedGeneration);
                if (position < length) {
                    return length;
                }
                if (done) {
                    return -1;
                }
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the download");
        } finally {
            lock.unlock();
        }
    }

    /** Fails when the download failed, or restarted since the reader began. */
    void check(int expectedGeneration) throws IOException {
        lock.lock();
        try {
            if (failure != null) {
                throw new IOException("writing the file failed: " + failure.getMessage(), failure);
            }
            if (generation != expectedGeneration) {
                throw new IOException("the download started over from its first byte");
            }
        } finally {
            lock.unlock();
        }
    }

    private void publish(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
