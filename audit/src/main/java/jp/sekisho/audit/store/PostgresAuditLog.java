package jp.sekisho.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.CanonicalEncoding;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log on PostgreSQL. One writer thread drains a bounded queue and writes each batch in one
 * transaction (COPY), chaining every event to the previous one of this node and signing a checkpoint
 * every N events or T seconds. {@code commit()} callers wait for their batch (group commit), so
 * durability costs one transaction per batch, not per event.
 *
 * <p>Fail closed, but only when the store cannot take events, never merely because it is busy:
 * <ul>
 *   <li><b>Down</b>: while the store is unreachable (a batch failed) both entry points throw
 *       {@link AuditUnavailableException} at once, and so does every caller already waiting; queued
 *       {@code record()} events are kept and written when the store returns, and the writer checks
 *       for that by itself. The same at once when the log is closing.</li>
 *   <li><b>Stalled</b>: the writer has been on one batch for the write timeout without committing
 *       it. Callers waiting (for room in a full queue, or for their batch in {@code commit()})
 *       give up then, and new calls are refused at once until it commits again. A stalled store thus
 *       fails every write within the write timeout (plus 50 ms) of the writer's
 *       last progress, at most that long after the call. A batch that hangs for
 *       {@link #stallLimit} is abandoned and the store counts as down.</li>
 *   <li><b>Busy</b>: a store that is slower than the callers but keeps committing batches slows them
 *       down instead: when the queue is full they wait for room, and a {@code commit()} waits for its
 *       batch however long the backlog ahead of it, for as long as no single batch stays uncommitted
 *       for the write timeout.</li>
 * </ul>
 */
public final class PostgresAuditLog implements AuditLog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);
    private static final Executor DIRECT = Runnable::run;
    /** How often a waiting caller checks whether the store went down or stalled meanwhile. */
    private static final long RECHECK_MILLIS = 50;

    private static final long RECHECK_NANOS = RECHECK_MILLIS * 1_000_000L;
    /** At most one warning this often about refusals that happen per request. */
    private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;
    /** The LISTEN/NOTIFY channel on which committed batches are announced (e.g. for live denial watchers). */
    public static final String NOTIFY_CHANNEL = "sekisho_audit";

    private final DataSource dataSource;
    /** Where the store is, for messages. */
    private final String where;

    private final AuditSettings settings;
    private final Clock clock;
    private final ArrayBlockingQueue<Pending> queue;
    private final ArrayDeque<Pending> retry = new ArrayDeque<>();
    private final BatchWriter batchWriter;
    private final Thread writer;
    private final Checkpointer checkpointer;

    private volatile boolean available = true;
    private volatile boolean closing;
    private volatile String lastError = "";
    private volatile long lastStallWarning = System.nanoTime() - 2 * WARNING_INTERVAL_NANOS;
    /**
     * When the writer last made progress: committed a batch, started the next one, found nothing to
     * write, or reconnected. Only meaningful while {@link #idle} is false.
     */
    private volatile long lastProgressNanos = System.nanoTime();
    /** True while the writer waits for events: an idle writer is never stalled. */
    private volatile boolean idle = true;
    // writer-thread state
    private ChainHead head = ChainHead.EMPTY;
    private long lastCheckpointSeq;
    private long lastCheckpointNanos = System.nanoTime();

    private PostgresAuditLog(DataSource dataSource, AuditSettings settings, AuditSigningKey key, Clock clock) {
        this.dataSource = dataSource;
        this.where = dataSource instanceof com.zaxxer.hikari.HikariDataSource h && h.getJdbcUrl() != null
                ? "PostgreSQL at " + Database.withoutParameters(h.getJdbcUrl())
                : "the audit database";
        this.settings = settings;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        // Callers wait at most writeTimeout on their own futures; the batch itself may take longer on a
        // loaded machine (a COPY of thousands of rows plus an fsync), and cutting it off at the same
        // 2 s turned slowness into an outage and a retry of rows that may have committed.
        this.batchWriter = new BatchWriter(dataSource, settings.nodeId(), stallLimit(settings.writeTimeout()));
        this.checkpointer = new Checkpointer(dataSource, key, settings.nodeId(), settings.writeTimeout());
        this.writer = new Thread(this::run, "sekisho-audit-writer-" + settings.nodeId());
        this.writer.setDaemon(true);
    }

    /** Opens the log for {@code settings.nodeId()}, continuing its chain where the store left it. */
    public static PostgresAuditLog open(Database db, AuditSettings settings, AuditSigningKey key) {
        return open(db.dataSource(), settings, key);
    }

    public static PostgresAuditLog open(DataSource ds, AuditSettings settings, AuditSigningKey key) {
        PostgresAuditLog log = new PostgresAuditLog(ds, settings, key, Clock.systemUTC());
        try (Connection c = ds.getConnection()) {
            log.head = BatchWriter.readHead(c, settings.nodeId());
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_checkpoint WHERE node_id = ?")) {
                ps.setString(1, settings.nodeId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    log.lastCheckpointSeq = rs.getLong(1);
                }
            }
            log.batchWriter.prepare(c);
        } catch (SQLException e) {
            // the caller reports the exception (the gateway does not start without its audit store)
            log.checkpointer.close();
            throw new AuditUnavailableException("audit store unavailable: " + Database.oneLine(e), e);
        }
        log.writer.start();
        LOG.info(
                "audit chain {}: continues after #{} (last signed checkpoint #{}); queue of {} events, write timeout {} ms",
                settings.nodeId(),
                log.head.seq(),
                log.lastCheckpointSeq,
                settings.queueCapacity(),
                settings.writeTimeout().toMillis());
        return log;
    }

    /**
     * Queues the event; returns once it is queued. Waits for room while the queue is full and the
     * writer keeps committing; throws {@link AuditUnavailableException} at once when the store is
     * down or stalled or the log is closing (see the class comment).
     */
    @Override
    public void record(AuditEvent event) {
        EventValidator.check(event);
        ensureOpen();
        ensureProgress();
        Pending p = new Pending(event, now(), null);
        enqueue(p);
        if (closing && queue.remove(p)) {
            // raced with close(): the writer may already be gone, so do not acknowledge it
            throw new AuditUnavailableException("audit log is closed");
        }
    }

    /**
     * Writes the event durably and returns it as stored. Waits for room and then for its batch for
     * as long as the writer keeps committing, however long the backlog ahead of it; throws
     * {@link AuditUnavailableException} at once when the store is down or the log is closing, and
     * within the write timeout of the writer's last progress when the store stalls. A caller that
     * gives up cancels its event, unless the writer had already taken it into a batch (which may
     * then still commit).
     */
    @Override
    public RecordedEvent commit(AuditEvent event) {
        EventValidator.check(event);
        ensureOpen();
        ensureProgress();
        Pending p = new Pending(event, now(), new CompletableFuture<>());
        enqueue(p);
        return await(p);
    }

    /**
     * Queues {@code p}. A full queue means the writer is behind, not that the store is down: the
     * caller waits for room (backpressure) as long as the writer keeps committing, but gives up at
     * once when the writer finds the store unavailable or the log closes, and when the writer has
     * been on one batch for the write timeout (stalled).
     */
    private void enqueue(Pending p) {
        if (queue.offer(p)) {
            return;
        }
        try {
            while (true) {
                ensureOpen();
                ensureProgress();
                if (queue.offer(p, RECHECK_NANOS, TimeUnit.NANOSECONDS)) {
                    if (!available && queue.remove(p)) {
                        // the room came from the writer emptying the queue into its retry list: the store is down
                        throw new AuditUnavailableException("audit store unavailable: " + lastError);
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for room in the audit queue");
        }
    }

    /** Waits for {@code p}'s batch as long as the writer is alive, the store up and the writer progressing. */
    private RecordedEvent await(Pending p) {
        try {
            while (true) {
                try {
                    return p.done.get(RECHECK_NANOS, TimeUnit.NANOSECONDS);
                } catch (TimeoutException notYet) {
                    AuditUnavailableException giveUp = reasonToStopWaiting();
                    if (giveUp != null) {
                        p.cancel();
                        throw giveUp;
                    }
                }
            }
        } catch (ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            p.cancel();
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for the audit store");
        }
    }

    /**
     * Null while a caller waiting for its batch should keep waiting. Closing is no reason: the writer
     * writes what is queued before it stops; a writer that stopped is.
     */
    private AuditUnavailableException reasonToStopWaiting() {
        if (!available) {
            return new AuditUnavailableException("audit store unavailable: " + lastError);
        }
        if (!writer.isAlive()) {
            return new AuditUnavailableException(
                    "audit writer stopped" + (lastError.isEmpty() ? "" : ": " + lastError));
        }
        return stalled() ? stalledRefusal() : null;
    }

    /** Refuses when the writer has been on one batch for the write timeout without committing it. */
    private void ensureProgress() {
        if (stalled()) {
            throw stalledRefusal();
        }
    }

    private boolean stalled() {
        return !idle
                && System.nanoTime() - lastProgressNanos
                        > settings.writeTimeout().toNanos();
    }

    private AuditUnavailableException stalledRefusal() {
        long stuckMs = (System.nanoTime() - lastProgressNanos) / 1_000_000;
        long now = System.nanoTime();
        if (now - lastStallWarning > WARNING_INTERVAL_NANOS) { // this happens per request: one warning in 10 s
            lastStallWarning = now;
            LOG.warn(
                    "audit chain {}: a batch has waited {} ms for {} to commit it (audit.write-timeout {} ms), {} more "
                            + "events queued: the store is stalled, not just busy. Refusing requests with AUDIT_UNAVAILABLE until "
                            + "it commits. Check for sessions blocking audit_event (pg_stat_activity, pg_locks), and disk and I/O "
                            + "on the database host; the batch is abandoned and retried after {} s",
                    settings.nodeId(),
                    stuckMs,
                    where,
                    settings.writeTimeout().toMillis(),
                    queue.size(),
                    stallLimit(settings.writeTimeout()).toSeconds());
        }
        return new AuditUnavailableException("audit store stalled: a batch has not committed in " + stuckMs + " ms");
    }

    private static AuditUnavailableException failure(ExecutionException e) {
        Throwable c = e.getCause();
        return c instanceof AuditUnavailableException a
                ? a
                : new AuditUnavailableException("audit write failed: " + Database.oneLine(c), c);
    }

    /**
     * Waits until everything queued before this call is written and its checkpoints stored (for tests
     * and orderly shutdown), at most {@code timeout}.
     */
    public void flush(Duration timeout) {
        ensureOpen();
        long t0 = System.nanoTime();
        Pending barrier = new Pending(null, now(), new CompletableFuture<>());
        enqueue(barrier);
        try {
            barrier.done.get(Math.max(0, timeout.toNanos() - (System.nanoTime() - t0)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AuditUnavailableException(
                    "audit store did not write the queued events within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while flushing the audit log");
        }
        checkpointer.flush(timeout.minusNanos(System.nanoTime() - t0));
    }

    /** Events waiting in the queue (tests). */
    int queued() {
        return queue.size();
    }

    /**
     * False while the store is unreachable; writes are refused until the writer reconnects. (A
     * stalled store still counts as available here: it answers, and writes resume when it commits.)
     */
    public boolean isAvailable() {
        return available && !closing;
    }

    /** Writes what is queued, signs a final checkpoint and stops the writer. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            writer.join(Math.max(5_000, settings.writeTimeout().toMillis() * 3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
            LOG.error(
                    "audit chain {}: the writer did not finish within {} ms at shutdown; {} queued events, already "
                            + "acknowledged to their callers, were NOT written and are missing from the audit log. {} was "
                            + "too slow or unreachable while the gateway stopped: check it, and note the gap for the auditors",
                    settings.nodeId(),
                    Math.max(5_000, settings.writeTimeout().toMillis() * 3),
                    queue.size() + retry.size(),
                    where);
        }
        checkpointer.close(); // after the writer: it submits the final checkpoint
    }

    private void ensureOpen() {
        if (closing) {
            throw new AuditUnavailableException("audit log is closed");
        }
        if (!available) {
            throw new AuditUnavailableException("audit store unavailable: " + lastError);
        }
    }

    private Instant now() {
        return CanonicalEncoding.truncate(clock.instant());
    }

    // ---- writer thread ----

    /** How long one batch may take before the connection is deemed dead: well past the callers' wait. */
    static java.time.Duration stallLimit(java.time.Duration writeTimeout) {
        java.time.Duration five = writeTimeout.multipliedBy(5);
        return five.compareTo(java.time.Duration.ofSeconds(15)) > 0 ? five : java.time.Duration.ofSeconds(15);
    }

    private void run() {
        try {
            writeUntilClosed();
        } catch (Throwable t) {
            lastError = "the audit writer stopped: " + Database.oneLine(t);
            LOG.error(
                    "audit chain {}: the writer thread stopped unexpectedly; every request that must be audited is "
                            + "now refused with AUDIT_UNAVAILABLE and {} acknowledged events are not written. Restart the "
                            + "gateway; if this repeats, report this stack trace",
                    settings.nodeId(),
                    queue.size() + retry.size(),
                    t);
            throw t;
        } finally {
            available = false; // whatever ended the writer, callers must now be refused, not queued
        }
    }

    private void writeUntilClosed() {
        List<Pending> batch = new ArrayList<>(settings.maxBatch());
        while (true) {
            batch.clear();
            try {
                nextBatch(batch);
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                lastProgressNanos = System.nanoTime();
                idle = true;
                if (closing) {
                    finalCheckpoint();
                    return;
                }
                timedCheckpoint();
                continue;
            }
            long t0 = System.nanoTime();
            // the stall clock runs from here: under load this is the previous commit, after a pause the
            // moment the work arrived (time without work is no lack of progress)
            lastProgressNanos = t0;
            idle = false;
            try {
                write(batch);
                available = true;
                long took = System.nanoTime() - t0;
                lastProgressNanos = System.nanoTime();
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
                lastProgressNanos = System.nanoTime(); // reconnected: the held events get a fresh write timeout
            }
        }
    }

    private void nextBatch(List<Pending> batch) throws InterruptedException {
        while (!retry.isEmpty() && batch.size() < settings.maxBatch()) {
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
        queue.drainTo(batch, settings.maxBatch() - batch.size());
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
                && available
                && System.nanoTime() - lastCheckpointNanos
                        >= settings.checkpointInterval().toNanos()) {
            checkpointNow();
        }
    }

    private void finalCheckpoint() {
        if (head.seq() > lastCheckpointSeq && available) {
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
        available = false;
        lastError = Database.oneLine(e);
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
                available = true;
                LOG.info(
                        "audit store reachable again after {} s; writing the {} held events, then accepting requests again",
                        (System.nanoTime() - since) / 1_000_000_000L,
                        retry.size());
                return true;
            } catch (SQLException | RuntimeException e) {
                lastError = Database.oneLine(e);
            }
            if (closing) {
                LOG.error(
                        "audit chain {}: {} still unavailable at shutdown ({}); {} events, already acknowledged to "
                                + "their callers, were NOT written and are missing from the audit log. Note the gap for the "
                                + "auditors (the requests around this time are in the gateway's logs)",
                        settings.nodeId(),
                        where,
                        lastError,
                        retry.size() + queue.size());
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
