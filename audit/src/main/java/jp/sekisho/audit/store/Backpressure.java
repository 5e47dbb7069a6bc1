package jp.sekisho.audit.store;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.db.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callers' side of the writer's queue: lets them wait (for room, for their batch) while the
 * writer makes progress, and refuses them at once when the store is down or the log closing, and
 * within the write timeout of the writer's last progress when it stalls. See {@link PostgresAuditLog}.
 */
final class Backpressure {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAuditLog.class);
    /** How often a waiting caller checks whether the store went down or stalled meanwhile. */
    private static final long RECHECK_MILLIS = 50;

    private static final long RECHECK_NANOS = RECHECK_MILLIS * 1_000_000L;
    /** At most one warning this often about refusals that happen per request. */
    private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;

    private final ArrayBlockingQueue<Pending> queue;
    private final WriterStatus status;
    private final Thread writer;
    private final AuditSettings settings;
    /** Where the store is, for messages. */
    private final String where;

    private volatile long lastStallWarning = System.nanoTime() - 2 * WARNING_INTERVAL_NANOS;

    Backpressure(
            ArrayBlockingQueue<Pending> queue,
            WriterStatus status,
            Thread writer,
            AuditSettings settings,
            String where) {
        this.queue = queue;
        this.status = status;
        this.writer = writer;
        this.settings = settings;
        this.where = where;
    }

    /**
     * Queues {@code p}. A full queue means the writer is behind, not that the store is down: the
     * caller waits for room (backpressure) as long as the writer keeps committing, but gives up at
     * once when the writer finds the store unavailable or the log closes, and when the writer has
     * been on one batch for the write timeout (stalled).
     */
    void enqueue(Pending p) {
        if (queue.offer(p)) {
            return;
        }
        try {
            while (true) {
                ensureOpen();
                ensureProgress();
                if (queue.offer(p, RECHECK_NANOS, TimeUnit.NANOSECONDS)) {
                    if (!status.available() && queue.remove(p)) {
                        // the room came from the writer emptying the queue into its retry list: the store is down
                        throw new AuditUnavailableException("audit store unavailable: " + status.lastError());
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
    RecordedEvent await(Pending p) {
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
        if (!status.available()) {
            return new AuditUnavailableException("audit store unavailable: " + status.lastError());
        }
        if (!writer.isAlive()) {
            String lastError = status.lastError();
            return new AuditUnavailableException(
                    "audit writer stopped" + (lastError.isEmpty() ? "" : ": " + lastError));
        }
        return stalled() ? stalledRefusal() : null;
    }

    /** Refuses when the log is closing or the store is down. */
    void ensureOpen() {
        if (status.closing()) {
            throw new AuditUnavailableException("audit log is closed");
        }
        if (!status.available()) {
            throw new AuditUnavailableException("audit store unavailable: " + status.lastError());
        }
    }

    /** Refuses when the writer has been on one batch for the write timeout without committing it. */
    void ensureProgress() {
        if (stalled()) {
            throw stalledRefusal();
        }
    }

    private boolean stalled() {
        return status.stalled(settings.writeTimeout().toNanos());
    }

    private AuditUnavailableException stalledRefusal() {
        long stuckMs = status.sinceProgressNanos() / 1_000_000;
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
                    PostgresAuditLog.stallLimit(settings.writeTimeout()).toSeconds());
        }
        return new AuditUnavailableException("audit store stalled: a batch has not committed in " + stuckMs + " ms");
    }

    /** The refusal for a write that the writer failed. */
    static AuditUnavailableException failure(ExecutionException e) {
        Throwable c = e.getCause();
        return c instanceof AuditUnavailableException a
                ? a
                : new AuditUnavailableException("audit write failed: " + Database.oneLine(c), c);
    }
}
