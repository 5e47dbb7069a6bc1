package jp.sekisho.gateway.transfer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import jp.sekisho.gateway.admission.Reason;

/**
 * One lock per transfer id, for the threads of this node (a {@link ReentrantLock}, made when first
 * needed and dropped when no thread holds or waits for it) and across the nodes sharing the spool
 * ({@link ClusterLocks}, taken by the outermost holder on this node). It serialises the few steps of
 * one transfer that must not interleave (read the state, commit the audit event, compare-and-set the
 * row, create or delete its files); transfers never wait for each other. Reentrant: a step may call
 * another that locks the same transfer.
 */
final class TransferLocks {

    /** How long a short step waits for another node's hold before it answers UPLOAD_IN_PROGRESS. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        /** Threads holding or waiting; changed only inside the map's compute functions. */
        int users;
        /** The cluster hold of the outermost holder; read and written by the thread holding {@link #lock}. */
        ClusterLocks.Hold hold;
    }

    private final Map<String, Entry> locks = new ConcurrentHashMap<>();
    private final ClusterLocks cluster;

    TransferLocks(ClusterLocks cluster) {
        this.cluster = cluster;
    }

    /** Runs {@code body} under the transfer's lock, waiting up to {@link #WAIT} for another node; else 409. */
    @SuppressWarnings("unchecked") // locked returns what body returned, or BUSY
    <T> T with(String id, Supplier<T> body) {
        Object r = locked(id, WAIT, body);
        if (r == BUSY) {
            throw new TransferProblem(
                    Reason.UPLOAD_IN_PROGRESS,
                    "別のゲートウェイノードが転送 " + id + " を処理中です / another gateway node is working on transfer " + id + "; retry");
        }
        return (T) r;
    }

    void run(String id, Runnable body) {
        with(id, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} only if no other node holds the transfer now (recovery, sweep: they skip a
     * busy transfer and come back to it); false when it was busy.
     */
    boolean ifFree(String id, Runnable body) {
        return locked(id, Duration.ZERO, () -> {
                    body.run();
                    return null;
                })
                != BUSY;
    }

    /**
     * One more hold of the cluster lock of a transfer this thread has locked: a PATCH keeps it from
     * its start to its release, across threads, so no other node writes the upload meanwhile.
     */
    ClusterLocks.Hold holdFor(String id) {
        ClusterLocks.Hold h = cluster.tryAcquire(id);
        if (h == null) {
            throw new IllegalStateException("transfer " + id + " is not locked by this thread");
        }
        return h;
    }

    void release(ClusterLocks.Hold h) {
        cluster.release(h);
    }

    private static final Object BUSY = new Object();

    private Object locked(String id, Duration wait, Supplier<?> body) {
        Entry e = locks.compute(id, (k, v) -> {
            Entry entry = v == null ? new Entry() : v;
            entry.users++;
            return entry;
        });
        e.lock.lock();
        try {
            boolean outermost = e.lock.getHoldCount() == 1;
            if (outermost) {
                e.hold = acquire(id, wait);
                if (e.hold == null) {
                    return BUSY;
                }
            }
            try {
                return body.get();
            } finally {
                if (outermost) {
                    ClusterLocks.Hold h = e.hold;
                    e.hold = null;
                    cluster.release(h);
                }
            }
        } finally {
            e.lock.unlock();
            locks.computeIfPresent(id, (k, v) -> --v.users == 0 ? null : v);
        }
    }

    private ClusterLocks.Hold acquire(String id, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            ClusterLocks.Hold h = cluster.tryAcquire(id);
            if (h != null || System.nanoTime() - deadline >= 0) {
                return h;
            }
            LockSupport.parkNanos(RETRY_NANOS);
        }
    }

    /** How many transfers have a lock now (for tests: none is kept after use). */
    int size() {
        return locks.size();
    }
}
