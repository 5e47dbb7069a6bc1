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
 * <p>Fail closed: while the store is unreachable both entry points throw
 * {@link AuditUnavailableException} at once; queued {@code record()} events are kept and written
 * when the store returns, and the writer checks for that by itself. A store that is merely slower
 * than the callers slows them down instead: when the queue is full they wait for room, for at most
 * the write timeout.
 */
public final class PostgresAuditLog implements AuditLog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);
    private static final Executor DIRECT = Runnable::run;
    /** How often a caller waiting for room in a full queue checks whether the store went down meanwhile. */
    private static final long FULL_QUEUE_RECHECK_NANOS = 50_000_000L;
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
    private volatile long lastFullWarning = System.nanoTime() - 20_000_000_000L;
    // writer-thread state
    private ChainHead head = ChainHead.EMPTY;
    private long lastCheckpointSeq;
    private long lastCheckpointNanos = System.nanoTime();

    private PostgresAuditLog(DataSource dataSource, AuditSettings settings, AuditSigningKey key, Clock clock) {
        this.dataSource = dataSource;
        this.where = dataSource instanceof com.zaxxer.hikari.HikariDataSource h && h.getJdbcUrl() != null
                ? "PostgreSQL at " + Database.withoutParameters(h.getJdbcUrl()) : "the audit database";
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
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM audit_checkpoint WHERE node_id = ?")) {
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
        LOG.info("audit chain {}: continues after #{} (last signed checkpoint #{}); queue of {} events, write timeout {} ms",
                settings.nodeId(), log.head.seq(), log.lastCheckpointSeq, settings.queueCapacity(),
                settings.writeTimeout().toMillis());
        return log;
    }

    @Override
    public void record(AuditEvent event) {
        EventValidator.check(event);
        ensureOpen();
        Pending p = new Pending(event, now(), null);
        enqueue(p, System.nanoTime() + settings.writeTimeout().toNanos());
        if (closing && queue.remove(p)) {
            // raced with close(): the writer may already be gone, so do not acknowledge it
            throw new AuditUnavailableException("audit log is closed");
        }
    }

    @Override
    public RecordedEvent commit(AuditEvent event) {
        EventValidator.check(event);
        ensureOpen();
        Pending p = new Pending(event, now(), new CompletableFuture<>());
        long deadline = System.nanoTime() + settings.writeTimeout().toNanos();
        enqueue(p, deadline); // the wait for room counts against the caller's write timeout
        return await(p, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * Queues {@code p}. A full queue means the writer is behind, not that the store is down: the
     * caller waits for room (backpressure) until {@code deadline}, but gives up at once when the
     * writer finds the store unavailable or the log closes, so an outage still fails fast.
     */
    private void enqueue(Pending p, long deadline) {
        if (queue.offer(p)) {
            return;
        }
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw queueFull();
                }
                if (queue.offer(p, Math.min(left, FULL_QUEUE_RECHECK_NANOS), TimeUnit.NANOSECONDS)) {
                    return;
                }
                ensureOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for room in the audit queue");
        }
    }

    private AuditUnavailableException queueFull() {
        long waited = settings.writeTimeout().toMillis();
        long now = System.nanoTime();
        long last = lastFullWarning;
        if (now - last > 10_000_000_000L) { // at most one warning every 10 s: this happens per request
            lastFullWarning = now;
            LOG.warn("audit queue full ({} events) for {} ms: {} writes slower than events arrive; refusing requests "
                    + "with AUDIT_UNAVAILABLE until there is room", settings.queueCapacity(), waited, where);
        }
        return new AuditUnavailableException("audit queue full (" + settings.queueCapacity() + " events) for " + waited + " ms");
    }

    /** Waits until everything queued before this call is written (for tests and orderly shutdown). */
    public void flush(Duration timeout) {
        ensureOpen();
        Pending barrier = new Pending(null, now(), new CompletableFuture<>());
        try {
            queue.put(barrier);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted");
        }
        long t0 = System.nanoTime();
        await(barrier, timeout);
        checkpointer.flush(timeout.minusNanos(System.nanoTime() - t0));
    }

    /** False while the store is unreachable; writes are refused until the writer reconnects. */
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
            LOG.error("audit chain {}: the writer did not finish within {} ms at shutdown; {} queued events, already "
                    + "acknowledged to their callers, were NOT written and are missing from the audit log. {} was "
                    + "too slow or unreachable while the gateway stopped: check it, and note the gap for the auditors",
                    settings.nodeId(), Math.max(5_000, settings.writeTimeout().toMillis() * 3), queue.size() + retry.size(), where);
        }
        checkpointer.close(); // after the writer: it submits the final checkpoint
    }

    private RecordedEvent await(Pending p, Duration timeout) {
        try {
            return p.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            p.cancel();
            throw new AuditUnavailableException("audit store did not confirm the write within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof AuditUnavailableException a ? a
                    : new AuditUnavailableException("audit write failed: " + Database.oneLine(c), c);
        } catch (InterruptedException e) {
            p.cancel();
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for the audit store");
        }
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
            LOG.error("audit chain {}: the writer thread stopped unexpectedly; every request that must be audited is "
                    + "now refused with AUDIT_UNAVAILABLE and {} acknowledged events are not written. Restart the "
                    + "gateway; if this repeats, report this stack trace", settings.nodeId(), queue.size() + retry.size(), t);
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
                if (closing) {
                    finalCheckpoint();
                    return;
                }
                timedCheckpoint();
                continue;
            }
            try {
                write(batch);
                available = true;
            } catch (SQLException | RuntimeException e) {
                failed(batch, e);
                if (!awaitRecovery()) {
                    return;
                }
            }
        }
    }

    private void nextBatch(List<Pending> batch) throws InterruptedException {
        while (!retry.isEmpty() && batch.size() < settings.maxBatch()) {
            batch.add(retry.poll());
        }
        if (batch.isEmpty()) {
            long waitMs = Math.min(200, Math.max(1, settings.checkpointInterval().toMillis()));
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
        boolean timeDue = System.nanoTime() - lastCheckpointNanos >= settings.checkpointInterval().toNanos();
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
        if (head.seq() > lastCheckpointSeq && available
                && System.nanoTime() - lastCheckpointNanos >= settings.checkpointInterval().toNanos()) {
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
        LOG.warn("audit store unavailable: a batch of {} events for chain {} did not commit ({}). Refusing every "
                + "request that must be audited with AUDIT_UNAVAILABLE (fail closed) until {} answers again; "
                + "events already acknowledged are held in memory and written then. Check that PostgreSQL is up "
                + "and reachable, its disk is not full, and store.url/store.user in the gateway configuration",
                batch.size(), settings.nodeId(), lastError, where);
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
                LOG.info("audit store reachable again after {} s; writing the {} held events, then accepting requests again",
                        (System.nanoTime() - since) / 1_000_000_000L, retry.size());
                return true;
            } catch (SQLException | RuntimeException e) {
                lastError = Database.oneLine(e);
            }
            if (closing) {
                LOG.error("audit chain {}: {} still unavailable at shutdown ({}); {} events, already acknowledged to "
                        + "their callers, were NOT written and are missing from the audit log. Note the gap for the "
                        + "auditors (the requests around this time are in the gateway's logs)",
                        settings.nodeId(), where, lastError, retry.size() + queue.size());
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
