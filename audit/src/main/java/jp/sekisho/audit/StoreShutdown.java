package jp.sekisho.audit;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order of the JVM's shutdown hooks around the embedded audit store. The JVM starts every hook at
 * once on SIGTERM (systemctl stop, Ctrl-C). The gateway's hook still writes audit events (its last
 * requests, GATEWAY_STOPPED) and then flushes the log, while the embedded store's hook stops
 * PostgreSQL: unordered, the database could stop under those events, and the last accesses of a run
 * were missing from the audit log. So a hook that writes to the store is added here, and the
 * embedded store's hook waits for it before it stops the database.
 */
public final class StoreShutdown {

    /** The longest the store waits for writers: within the systemd unit's TimeoutStopSec (60 s). */
    static final Duration WAIT = Duration.ofSeconds(45);

    /** How long a writer hook may take to be started by the JVM (it starts them all in one loop). */
    private static final Duration START = Duration.ofSeconds(1);

    private static final Set<Thread> WRITERS = ConcurrentHashMap.newKeySet();

    private StoreShutdown() {}

    /**
     * Adds {@code hook} as a JVM shutdown hook that the embedded store outlives.
     *
     * @throws IllegalStateException when the JVM is shutting down already (the hook would never run)
     */
    public static void addWriterHook(Thread hook) {
        WRITERS.add(hook);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            WRITERS.remove(hook);
            throw e;
        }
    }

    /**
     * Called by the embedded store's own hook: returns once every writer hook has ended, or after
     * {@link #WAIT} in all. A hook the JVM has not started yet is waited for briefly first, since
     * joining a thread that has not started returns at once.
     */
    public static void awaitWriters() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (Thread t : WRITERS) {
            long startBy = System.nanoTime() + START.toNanos();
            while (t.getState() == Thread.State.NEW && System.nanoTime() < startBy) {
                Thread.onSpinWait();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
