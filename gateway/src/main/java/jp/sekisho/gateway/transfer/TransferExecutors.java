package jp.sekisho.gateway.transfer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transfer service's own threads, each pool named for its job so that a thread dump says who
 * waits on what, and shut down in one place.
 */
final class TransferExecutors implements AutoCloseable {

    /** Reacts to policy changes (aborts transfers on routes no longer ACTIVE), one change at a time. */
    final ExecutorService policy = Executors.newSingleThreadExecutor(named("sekisho-transfer-policy", false));
    /** Runs the expiry sweep. */
    final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(named("sekisho-transfer-sweeper", false));
    /** Looks at the spool's marker and the cluster lock connection every few seconds. */
    final ScheduledExecutorService prober =
            Executors.newSingleThreadScheduledExecutor(named("sekisho-spool-probe", false));
    /** Starts page-cache writeback of spool files while they are written (see {@link SpoolWriter}). */
    final ExecutorService writeback = Executors.newFixedThreadPool(2, named("sekisho-spool-writeback", true));
    /** Runs the {@link SpoolWriter} tasks: each upload's in order, uploads side by side. */
    final SpoolWriterPool spoolWriter = new SpoolWriterPool(named("sekisho-spool-writer", true));

    private static ThreadFactory named(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops policy reactions and sweeps at once; lets spool writes already handed off finish. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        prober.shutdownNow();
        policy.shutdownNow();
        writeback.shutdown();
        spoolWriter.shutdown();
    }
}
