package jp.sekisho.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.CanonicalEncoding;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs and stores checkpoints on its own thread. Ed25519 signing costs about half a millisecond on
 * JDK 17, so keeping it off the writer's path lets it overlap with the writer's database round trips.
 * A checkpoint is only ever submitted for events already committed; one that is lost (crash, outage)
 * costs nothing but granularity, since a later checkpoint seals everything before it.
 */
final class Checkpointer {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final int MAX_PENDING = 10_000;
    /** While checkpoints keep failing (every 0.5 s), one warning a minute is enough. */
    private static final long REPEAT_WARNING_NANOS = 60_000_000_000L;

    private record Due(long seq, String hash) {}

    private final DataSource dataSource;
    private final AuditSigningKey key;
    private final String nodeId;
    private final Duration timeout;
    private final Clock clock = Clock.systemUTC();
    private final LinkedBlockingDeque<Due> pending = new LinkedBlockingDeque<>();
    private final Thread thread;
    private final Object idle = new Object();
    /**
     * Checkpoints submitted and neither stored nor given up. Counted apart from {@link #pending}: the
     * thread takes a checkpoint out of the queue before it stores it, and a flush that looked at the
     * queue alone (with a busy flag set after the take) could return in between, before the store.
     */
    private final AtomicInteger unsettled = new AtomicInteger();

    private volatile boolean closing;
    // checkpointer-thread state
    private long failingSince;
    private long lastWarning;
    private int failures;

    Checkpointer(DataSource dataSource, AuditSigningKey key, String nodeId, Duration timeout) {
        this.dataSource = dataSource;
        this.key = key;
        this.nodeId = nodeId;
        this.timeout = timeout;
        this.thread = new Thread(this::run, "sekisho-audit-checkpointer-" + nodeId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Asks for a checkpoint sealing committed event {@code seq} with chain hash {@code hash}. */
    void submit(long seq, String hash) {
        unsettled.incrementAndGet();
        if (pending.size() >= MAX_PENDING && pending.pollFirst() != null) {
            settled(1); // the newest seals the oldest's events as well
        }
        pending.offerLast(new Due(seq, hash));
    }

    /** {@code n} checkpoints were stored or given up: wakes a flush. */
    private void settled(int n) {
        if (n > 0 && unsettled.addAndGet(-n) <= 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Waits until every submitted checkpoint was stored (or given up), at most {@code max}. */
    void flush(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (idle) {
            while (unsettled.get() > 0 && System.nanoTime() < deadline) {
                try {
                    idle.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void close() {
        closing = true;
        try {
            thread.join(Math.max(5_000, timeout.toMillis() * 3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Due> batch = new ArrayList<>();
        while (true) {
            Due first;
            try {
                first = pending.pollFirst(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            pending.drainTo(batch);
            if (store(batch)) {
                settled(batch.size());
            } else {
                if (closing) {
                    Due last = batch.get(batch.size() - 1);
                    LOG.warn(
                            "audit chain {}: checkpoint for events up to #{} not stored at shutdown (the store did not "
                                    + "answer). Those events are written but not yet sealed by a signature; the next start of "
                                    + "this node signs a checkpoint that seals them",
                            nodeId,
                            last.seq());
                    settled(batch.size()); // given up: a flush need not wait for them
                    return;
                }
                // keep only the newest: it seals the others' events; retry after a pause
                pending.offerFirst(batch.get(batch.size() - 1));
                settled(batch.size() - 1);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private boolean store(List<Due> batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setNetworkTimeout(Runnable::run, (int) timeout.toMillis());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_checkpoint "
                    + "(node_id, seq, time, hash, key_id, algorithm, signature) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (node_id, seq) DO NOTHING")) {
                for (Due d : batch) {
                    Checkpoint cp = key.sign(nodeId, d.seq(), CanonicalEncoding.truncate(clock.instant()), d.hash());
                    ps.setString(1, cp.nodeId());
                    ps.setLong(2, cp.seq());
                    ps.setObject(3, cp.time().atOffset(ZoneOffset.UTC));
                    ps.setString(4, cp.hash());
                    ps.setString(5, cp.keyId());
                    ps.setString(6, cp.algorithm());
                    ps.setString(7, cp.signature());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            if (failures > 0) {
                LOG.info(
                        "audit chain {}: checkpoints stored again (up to #{}) after {} failed attempts in {} s",
                        nodeId,
                        batch.get(batch.size() - 1).seq(),
                        failures,
                        (System.nanoTime() - failingSince) / 1_000_000_000L);
                failures = 0;
            }
            return true;
        } catch (SQLException | RuntimeException e) {
            long now = System.nanoTime();
            if (failures++ == 0) {
                failingSince = now;
            }
            if (failures == 1 || now - lastWarning >= REPEAT_WARNING_NANOS) {
                lastWarning = now;
                LOG.warn(
                        "audit chain {}: signed checkpoint for events up to #{} not stored ({}); retrying every 0.5 s{}. "
                                + "Events are still written and chained; only their signed seal waits. If the audit store "
                                + "is reachable, check that the gateway's role may INSERT into audit_checkpoint",
                        nodeId,
                        batch.get(batch.size() - 1).seq(),
                        Database.oneLine(e),
                        failures == 1 ? "" : " (" + failures + " attempts failed so far)");
            }
            return false;
        }
    }
}
