package jp.sekisho.gateway.transfer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per transfer id, made when first needed and dropped when no thread holds or waits for
 * it. It serialises the few steps of one transfer that must not interleave (read the state, commit
 * the audit event, compare-and-set the row); transfers never wait for each other, unlike the
 * striped lock this replaces, where a slow envelope check held up every transfer on its stripe.
 * Reentrant: a step may call another that locks the same transfer.
 */
final class TransferLocks {

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        /** Threads holding or waiting; changed only inside the map's compute functions. */
        int users;
    }

    private final Map<String, Entry> locks = new ConcurrentHashMap<>();

    <T> T with(String id, Supplier<T> body) {
        Entry e = locks.compute(id, (k, v) -> {
            Entry entry = v == null ? new Entry() : v;
            entry.users++;
            return entry;
        });
        e.lock.lock();
        try {
            return body.get();
        } finally {
            e.lock.unlock();
            locks.computeIfPresent(id, (k, v) -> --v.users == 0 ? null : v);
        }
    }

    void run(String id, Runnable body) {
        with(id, () -> {
            body.run();
            return null;
        });
    }

    /** How many transfers have a lock now (for tests: none is kept after use). */
    int size() {
        return locks.size();
    }
}
