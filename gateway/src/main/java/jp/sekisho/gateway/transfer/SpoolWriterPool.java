package jp.sekisho.gateway.transfer;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run {@link SpoolWriter} tasks (hash and scan, write), each upload's in order and
 * uploads side by side. {@link #hold()} parks every task handed over from then on, as a stalled disk
 * would, until released: the tests use it to show that a writer with no free buffer never makes the
 * event loop wait.
 */
final class SpoolWriterPool implements java.util.concurrent.Executor {

    private final ExecutorService threads;
    private volatile CountDownLatch held;
    private final AtomicInteger parked = new AtomicInteger();

    SpoolWriterPool(ThreadFactory factory) {
        this.threads = Executors.newCachedThreadPool(factory);
    }

    @Override
    public void execute(Runnable task) {
        CountDownLatch h = held;
        if (h == null) {
            threads.execute(task);
            return;
        }
        threads.execute(() -> {
            parked.incrementAndGet();
            try {
                h.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parked.decrementAndGet();
            }
            task.run();
        });
    }

    /** Parks the tasks handed over from now on; the returned action releases them. */
    Runnable hold() {
        CountDownLatch h = new CountDownLatch(1);
        held = h;
        return () -> {
            held = null;
            h.countDown();
        };
    }

    /** Tasks parked by {@link #hold()} now. */
    int parked() {
        return parked.get();
    }

    void shutdown() {
        threads.shutdown();
    }
}
