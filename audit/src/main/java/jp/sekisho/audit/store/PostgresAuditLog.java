package jp.sekisho.audit.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 *
 * <p>This class is the facade: {@code Backpressure} applies these rules to callers, {@code WriterLoop}
 * is the writer thread, and {@code WriterStatus} is what the two share.
 */
public final class PostgresAuditLog implements AuditLog, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);
    /** The LISTEN/NOTIFY channel on which committed batches are announced (e.g. for live denial watchers). */
    public static final String NOTIFY_CHANNEL = "sekisho_audit";

    /** Where the store is, for messages. */
    private final String where;

    private final AuditSettings settings;
    private final Clock clock;
    private final ArrayBlockingQueue<Pending> queue;
    private final WriterStatus status = new WriterStatus();
    private final WriterLoop loop;
    private final Thread writer;
    private final Backpressure backpressure;
    private final Checkpointer checkpointer;

    private PostgresAuditLog(DataSource dataSource, AuditSettings settings, AuditSigningKey key, Clock clock) {
        this.where = dataSource instanceof com.zaxxer.hikari.HikariDataSource h && h.getJdbcUrl() != null
                ? "PostgreSQL at " + Database.withoutParameters(h.getJdbcUrl())
                : "the audit database";
        this.settings = settings;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        BatchWriter batchWriter = new BatchWriter(dataSource, settings.nodeId(), stallLimit(settings.writeTimeout()));
        this.checkpointer = new Checkpointer(dataSource, key, settings.nodeId(), settings.writeTimeout());
        this.loop = new WriterLoop(dataSource, settings, where, queue, status, batchWriter, checkpointer);
        this.writer = new Thread(loop, "sekisho-audit-writer-" + settings.nodeId());
        this.writer.setDaemon(true);
        this.backpressure = new Backpressure(queue, status, writer, settings, where);
    }

    /** Opens the log for {@code settings.nodeId()}, continuing its chain where the store left it. */
    public static PostgresAuditLog open(Database db, AuditSettings settings, AuditSigningKey key) {
        return open(db.dataSource(), settings, key);
    }

    public static PostgresAuditLog open(DataSource ds, AuditSettings settings, AuditSigningKey key) {
        return open(ds, settings, key, Clock.systemUTC());
    }

    /** As {@link #open(DataSource, AuditSettings, AuditSigningKey)} with the events' clock (tests: a past month). */
    public static PostgresAuditLog open(DataSource ds, AuditSettings settings, AuditSigningKey key, Clock clock) {
        PostgresAuditLog log = new PostgresAuditLog(ds, settings, key, clock);
        try (Connection c = ds.getConnection()) {
            log.loop.resume(c);
        } catch (SQLException e) {
            // the caller reports the exception (the gateway does not start without its audit store)
            log.checkpointer.close();
            throw new AuditUnavailableException("audit store unavailable: " + Database.oneLine(e), e);
        }
        log.writer.start();
        LOG.info(
                "audit chain {}: continues after #{} (last signed checkpoint #{}); queue of {} events, write timeout {} ms",
                settings.nodeId(),
                log.loop.headSeq(),
                log.loop.lastCheckpointSeq(),
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
    public void record(AuditEvent given) {
        AuditEvent event = EventBounds.bound(given); // never dropped for its content: cut and marked instead
        EventValidator.check(event);
        backpressure.ensureOpen();
        backpressure.ensureProgress();
        Pending p = new Pending(event, now(), null);
        backpressure.enqueue(p);
        if (status.closing() && queue.remove(p)) {
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
    public RecordedEvent commit(AuditEvent given) {
        AuditEvent event = EventBounds.bound(given);
        EventValidator.check(event);
        backpressure.ensureOpen();
        backpressure.ensureProgress();
        Pending p = new Pending(event, now(), new CompletableFuture<>());
        backpressure.enqueue(p);
        return backpressure.await(p);
    }

    /**
     * Waits until everything queued before this call is written and its checkpoints stored (for tests
     * and orderly shutdown), at most {@code timeout}.
     */
    public void flush(Duration timeout) {
        backpressure.ensureOpen();
        long t0 = System.nanoTime();
        Pending barrier = new Pending(null, now(), new CompletableFuture<>());
        backpressure.enqueue(barrier);
        try {
            barrier.done.get(Math.max(0, timeout.toNanos() - (System.nanoTime() - t0)), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AuditUnavailableException(
                    "audit store did not write the queued events within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw Backpressure.failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while flushing the audit log");
        }
        checkpointer.flush(timeout.minusNanos(System.nanoTime() - t0));
    }

    /** Events waiting in the queue (tests, and the gateway's queue depth gauge). */
    public int queued() {
        return queue.size();
    }

    /** Tells {@code o} of every committed batch from now on (the gateway's write latency timer). */
    public void observeWrites(WriteObserver o) {
        loop.observe(o);
    }

    /**
     * False while the store is unreachable; writes are refused until the writer reconnects. (A
     * stalled store still counts as available here: it answers, and writes resume when it commits.)
     */
    public boolean isAvailable() {
        return status.available() && !status.closing();
    }

    /** Writes what is queued, signs a final checkpoint and stops the writer. */
    @Override
    public void close() {
        if (status.closing()) {
            return;
        }
        status.closing(true);
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
                    loop.unwritten(),
                    where);
        }
        checkpointer.close(); // after the writer: it submits the final checkpoint
    }

    private Instant now() {
        return CanonicalEncoding.truncate(clock.instant());
    }

    /**
     * How long one batch may take before the connection is deemed dead: well past the callers' wait.
     * Callers wait at most the write timeout on their own futures; the batch itself may take longer
     * on a loaded machine (a COPY of thousands of rows plus an fsync), and cutting it off at the same
     * 2 s turned slowness into an outage and a retry of rows that may have committed.
     */
    static Duration stallLimit(Duration writeTimeout) {
        Duration five = writeTimeout.multipliedBy(5);
        return five.compareTo(Duration.ofSeconds(15)) > 0 ? five : Duration.ofSeconds(15);
    }
}
