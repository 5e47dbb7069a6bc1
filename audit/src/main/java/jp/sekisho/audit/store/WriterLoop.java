package jp.sekisho.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread's loop: drains the queue in batches, writes each with {@link BatchWriter},
 * completes its callers, schedules checkpoints, and when the store is down holds the acknowledged
 * events and polls until it answers again. Reports its state in {@link WriterStatus}.
 */
final class WriterLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);
    private static final Executor DIRECT = Runnable::run;

    private final DataSource dataSource;
    private final AuditSettings settings;
    /** Where the store is, for messages. */
    private final String where;

    private final ArrayBlockingQueue<Pending> queue;
    private final WriterStatus status;
    private final BatchWriter batchWriter;
    private final Checkpointer checkpointer;
    // writer-thread state
    private final ArrayDeque<Pending> retry = new ArrayDeque<>();
    private ChainHead head = ChainHead.EMPTY;
    private long lastCheckpointSeq;
    private long lastCheckpointNanos = System.nanoTime();
    /**
     * The most events the next batch takes: audit.max-batch while commits are quick, halved after one
     * that took over a quarter of the write timeout. A starved database (busy cores, a slow disk) then
     * commits smaller batches more often, so the writer keeps showing progress and busy callers are
     * slowed down rather than refused as if the store had stalled; it grows back as commits speed up.
     */
    private int batchLimit;

    private volatile WriteObserver observer = WriteObserver.NONE;

    /** How long a batch of queued events waits for company before it commits (see {@link #linger}). */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** A batch this large commits without waiting. */
    static final int LINGER_BELOW = 64;

    private static final int MIN_BATCH = 50;

    WriterLoop(
            DataSource dataSource,
            AuditSettings settings,
            String where,
            ArrayBlockingQueue<Pending> queue,
            WriterStatus status,
            BatchWriter batchWriter,
            Checkpointer checkpointer) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.where = where;
        this.queue = queue;
        this.status = status;
        this.batchWriter = batchWriter;
        this.checkpointer = checkpointer;
    }

    /** Before the thread starts: continues the node's chain and checkpoints where the store left them. */
    void resume(Connection c) throws SQLException {
        head = BatchWriter.readHead(c, settings.nodeId());
        try (PreparedStatement ps =
                c.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_checkpoint WHERE node_id = ?")) {
            ps.setString(1, settings.nodeId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                lastCheckpointSeq = rs.getLong(1);
            }
        }
        batchWriter.prepare(c);
    }

    void observe(WriteObserver o) {
        observer = o == null ? WriteObserver.NONE : o;
    }

    long headSeq() {
        return head.seq();
    }

    long lastCheckpointSeq() {
        return lastCheckpointSeq;
    }

    /** Events queued or held for the retry, i.e. acknowledged or awaited but not yet written. */
    int unwritten() {
        return queue.size() + retry.size();
    }

    @Override
    public void run() {
        try {
            writeUntilClosed();
        } catch (Throwable t) {
            status.lastError("the audit writer stopped: " + Database.oneLine(t));
            LOG.error(
                    "audit chain {}: the writer thread stopped unexpectedly; every request that must be audited is "
                            + "now refused with AUDIT_UNAVAILABLE and {} acknowledged events are not written. Restart the "
                            + "gateway; if this repeats, report this stack trace",
                    settings.nodeId(),
                    unwritten(),
                    t);
            throw t;
        } finally {
            status.down(); // whatever ended the writer, callers must now be refused, not queued
        }
    }

    private void writeUntilClosed() {
        List<Pending> batch = new ArrayList<>(settings.maxBatch());
        batchLimit = settings.maxBatch();
        while (true) {
            batch.clear();
            try {
                nextBatch(batch);
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                status.idle();
                if (status.closing()) {
                    finalCheckpoint();
                    return;
                }
                timedCheckpoint();
                continue;
            }
            long t0 = System.nanoTime();
            // the stall clock runs from here: under load this is the previous commit, after a pause the
            // moment the work arrived (time without work is no lack of progress)
            status.busySince(t0);
            try {
                write(batch);
                status.up();
                long took = System.nanoTime() - t0;
                status.progress();
                adapt(took);
                observed(batch.size(), took);
                if (took > settings.writeTimeout().toNanos()) {
                    LOG.warn(
                            "audit chain {}: a batch of {} events took {} ms to commit, longer than audit.write-timeout "
                                    + "({} ms): requests that had to wait for it were refused with AUDIT_UNAVAILABLE meanwhile. {} was "
                                    + "blocked or overloaded; if this recurs, look for long transactions locking audit_event "
                                    + "and at the database host's disk",
                            settings.nodeId(),
                            batch.size(),
                            took / 1_000_000,
                            settings.writeTimeout().toMillis(),
                            where);
                }
            } catch (SQLException | RuntimeException e) {
                failed(batch, e);
                if (!awaitRecovery()) {
                    return;
                }
                status.progress(); // reconnected: the held events get a fresh write timeout
            }
        }
    }

    private void observed(int events, long nanos) {
        try {
            observer.written(events, nanos);
        } catch (RuntimeException e) {
            LOG.warn("audit chain {}: the write observer failed: {}", settings.nodeId(), e.toString());
        }
    }

    private void adapt(long tookNanos) {
        batchLimit = nextBatchLimit(
                batchLimit,
                settings.maxBatch(),
                tookNanos,
                settings.writeTimeout().toNanos());
    }

    /** Halves the batch limit after a commit over a quarter of the write timeout, doubles it after one under a twentieth. */
    static int nextBatchLimit(int limit, int max, long tookNanos, long timeoutNanos) {
        if (tookNanos > timeoutNanos / 4) {
            return Math.max(Math.min(MIN_BATCH, max), limit / 2);
        }
        if (tookNanos < timeoutNanos / 20) {
            return (int) Math.min(max, 2L * limit);
        }
        return limit;
    }

    private void nextBatch(List<Pending> batch) throws InterruptedException {
        while (!retry.isEmpty() && batch.size() < batchLimit) {
            batch.add(retry.poll());
        }
        if (batch.isEmpty()) {
            long waitMs =
                    Math.min(200, Math.max(1, settings.checkpointInterval().toMillis()));
            Pending first = queue.poll(waitMs, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            batch.add(first);
        }
        queue.drainTo(batch, batchLimit - batch.size());
        linger(batch);
    }

    /**
     * Events arriving one at a time (a relay request's, a connection's) would each cost a commit and
     * its WAL flush: at a few thousand a second that flushing, not the writing, took the CPU. When
     * the batch holds only {@code record()}ed events, which nobody waits for, and is still small, the
     * writer waits up to {@link #LINGER_NANOS} for more, as a group commit does. A {@code commit()}
     * caller or a flush arriving meanwhile ends the wait at once.
     */
    private void linger(List<Pending> batch) throws InterruptedException {
        int enough = Math.min(LINGER_BELOW, batchLimit); // never past the batch limit
        if (batch.size() >= enough || batch.stream().anyMatch(p -> p.done != null)) {
            return;
        }
        long deadline = System.nanoTime() + LINGER_NANOS;
        while (batch.size() < enough) {
            long left = deadline - System.nanoTime();
            Pending p = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (p == null) {
                return;
            }
            batch.add(p);
            queue.drainTo(batch, batchLimit - batch.size());
            if (p.done != null || batch.stream().anyMatch(q -> q.done != null)) {
                return; // someone waits for this batch
            }
        }
    }

    private void write(List<Pending> batch) throws SQLException {
        List<Pending> taken = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (p.take()) {
                taken.add(p);
            }
        }
        boolean timeDue = System.nanoTime() - lastCheckpointNanos
                >= settings.checkpointInterval().toNanos();
        BatchWriter.Result result = batchWriter.write(taken, lastCheckpointSeq, settings.checkpointEvery(), timeDue);
        head = result.head();
        for (ChainHead d : result.due()) {
            checkpointer.submit(d.seq(), d.hash());
        }
        if (!result.due().isEmpty()) {
            lastCheckpointSeq = result.due().get(result.due().size() - 1).seq();
            lastCheckpointNanos = System.nanoTime();
        }
        int i = 0;
        for (Pending p : taken) {
            if (p.isBarrier()) {
                p.done.complete(null);
            } else {
                RecordedEvent r = result.rows().get(i++);
                if (p.done != null) {
                    p.done.complete(r);
                }
            }
        }
    }

    private void timedCheckpoint() {
        if (head.seq() > lastCheckpointSeq
                && status.available()
                && System.nanoTime() - lastCheckpointNanos
                        >= settings.checkpointInterval().toNanos()) {
            checkpointNow();
        }
    }

    private void finalCheckpoint() {
        if (head.seq() > lastCheckpointSeq && status.available()) {
            checkpointNow();
        }
    }

    private void checkpointNow() {
        checkpointer.submit(head.seq(), head.hash());
        lastCheckpointSeq = head.seq();
        lastCheckpointNanos = System.nanoTime();
    }

    /**
     * The batch did not commit. Callers of {@code commit()} hear so now (they refuse their work);
     * {@code record()} events were already acknowledged, so they are kept, in order, for the retry.
     */
    private void failed(List<Pending> batch, Exception e) {
        String lastError = Database.oneLine(e);
        status.down(lastError);
        LOG.warn(
                "audit store unavailable: a batch of {} event(s) for chain {} did not commit ({}). Refusing every "
                        + "request that must be audited with AUDIT_UNAVAILABLE (fail closed) until {} answers again; "
                        + "events already acknowledged are held in memory and written then. Check that PostgreSQL is up "
                        + "and reachable, its disk is not full, and store.url/store.user in the gateway configuration",
                batch.size(),
                settings.nodeId(),
                lastError,
                where);
        List<Pending> keep = new ArrayList<>();
        List<Pending> all = new ArrayList<>(batch);
        all.addAll(retry); // older than anything still in the queue
        retry.clear();
        queue.drainTo(all);
        AuditUnavailableException refusal = new AuditUnavailableException("audit store unavailable: " + lastError, e);
        for (Pending p : all) {
            if (p.done == null) {
                keep.add(p);
            } else {
                p.done.completeExceptionally(refusal);
            }
        }
        retry.addAll(keep);
    }

    /** Polls the store until it answers again; false when closing gives up on it. */
    private boolean awaitRecovery() {
        long pauseMs = 100;
        long since = System.nanoTime();
        while (true) {
            try (Connection c = dataSource.getConnection()) {
                c.setNetworkTimeout(DIRECT, (int) settings.writeTimeout().toMillis());
                try (var s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                status.up();
                LOG.info(
                        "audit store reachable again after {} s; writing the {} held events, then accepting requests again",
                        (System.nanoTime() - since) / 1_000_000_000L,
                        retry.size());
                return true;
            } catch (SQLException | RuntimeException e) {
                status.lastError(Database.oneLine(e));
            }
            if (status.closing()) {
                LOG.error(
                        "audit chain {}: {} still unavailable at shutdown ({}); {} events, already acknowledged to "
                                + "their callers, were NOT written and are missing from the audit log. Note the gap for the "
                                + "auditors (the requests around this time are in the gateway's logs)",
                        settings.nodeId(),
                        where,
                        status.lastError(),
                        unwritten());
                return false;
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException ie) {
                return false;
            }
            pauseMs = Math.min(1000, pauseMs * 2);
        }
    }
}
