package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Page-cache mode of a {@link SpoolWriter}: starts writeback of the file after every
 * {@link #EVERY} bytes written, so that the fsync that ends the PATCH (and that the client waits
 * for) finds little left to do. Fed by the writer's tasks one at a time, awaited by its owner.
 */
final class Writeback {

    static final long EVERY = 64L * 1024 * 1024;

    private final FileChannel channel;
    private final ExecutorService pool;
    private long unflushed;
    private Future<?> running;
    private volatile Exception failure;

    Writeback(FileChannel channel, ExecutorService pool) {
        this.channel = channel;
        this.pool = pool;
    }

    void wrote(long bytes) {
        unflushed += bytes;
        if (unflushed < EVERY || (running != null && !running.isDone())) {
            return;
        }
        unflushed = 0;
        try {
            running = pool.submit(() -> {
                try {
                    channel.force(false);
                } catch (Exception e) {
                    // an fsync error is reported once per open file: sync() must see it too
                    failure = e;
                }
            });
        } catch (RejectedExecutionException e) {
            // shutting down: sync() forces everything anyway
        }
    }

    /** Waits for the writeback started last, if any. */
    void await() {
        Future<?> f = running;
        running = null;
        if (f == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                failure = e;
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void throwIfFailed() throws IOException {
        Exception f = failure;
        if (f != null) {
            throw f instanceof IOException io ? io : new IOException(f);
        }
    }
}
