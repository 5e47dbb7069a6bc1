package jp.sekisho.gateway.transfer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.store.StoreOutage;
import jp.sekisho.gateway.admission.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-transfer locks across the nodes sharing one store and spool: PostgreSQL session-level
 * advisory locks held on one dedicated connection of this node (not a pooled one, whose session
 * another request would inherit). PostgreSQL releases them when the node dies and its connection
 * closes, so a dead node never keeps a transfer. Session locks are re-entrant per session, so this
 * node counts its own holds here; threads of this node exclude each other with {@link TransferLocks}.
 *
 * <p>When the connection breaks every lock is lost at once: {@link #heartbeat} finds it, tells the
 * owner (which cuts its PATCHes in progress) and the next use connects again. A hold taken before
 * the break is recognised by its generation and not released twice.
 */
final class ClusterLocks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLocks.class);

    /** Opens the dedicated connection. */
    @FunctionalInterface
    interface Connector {
        Connection open() throws SQLException;
    }

    /** One hold of a transfer's lock, valid while the connection that took it lives. */
    record Hold(String id, long generation) {}

    private final Connector connector;
    private final Runnable onLost;
    /** How long a step waits for the connection, which a heartbeat on a frozen server may hold that long. */
    private final Duration wait;
    /** Guards the connection, the generation and the holds (a lock, not a monitor: a step gives up after {@link #wait}). */
    private final ReentrantLock mutex = new ReentrantLock();

    private Connection connection;
    private long generation;
    private final Map<String, Integer> held = new HashMap<>();

    ClusterLocks(Connector connector, Runnable onLost) {
        this(connector, onLost, Duration.ofSeconds(5));
    }

    /** @param wait the store's timeout: a step that cannot use the connection within it answers AUDIT_UNAVAILABLE */
    ClusterLocks(Connector connector, Runnable onLost, Duration wait) {
        this.connector = connector;
        this.onLost = onLost;
        this.wait = wait;
    }

    /** Takes the mutex within {@link #wait}, else the store counts as unavailable (fail closed). */
    private void enter() {
        try {
            if (mutex.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AuditUnavailableException(
                "転送ロックの接続が応答しません / the cluster lock connection does not answer within " + wait);
    }

    /** The advisory lock key of a transfer: the first 8 bytes of SHA-256("sekisho-transfer|" + id). */
    static long key(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(("sekisho-transfer|" + id).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h, 0, 8).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the lock of {@code id} without waiting; null when another node holds it. */
    Hold tryAcquire(String id) {
        boolean lost = false;
        enter();
        try {
            return tryAcquireLocked(id);
        } catch (LostException e) {
            lost = true;
            if (e.problem != null) {
                throw e.problem;
            }
            return e.taken;
        } finally {
            mutex.unlock();
            if (lost) {
                onLost.run(); // cuts PATCHes: flags and channel closes only, nothing that waits
            }
        }
    }

    /**
     * A broken connection lost holds; the caller tells the owner once the mutex is free, then throws
     * {@link #problem}, or returns {@link #taken} (the fresh connection took the lock), or null.
     */
    private static final class LostException extends RuntimeException {
        final RuntimeException problem;
        final Hold taken;

        LostException(RuntimeException problem) {
            this(problem, null);
        }

        LostException(RuntimeException problem, Hold taken) {
            super(null, null, false, false);
            this.problem = problem;
            this.taken = taken;
        }
    }

    private Hold tryAcquireLocked(String id) {
        Integer n = held.get(id);
        if (n != null) {
            held.put(id, n + 1);
            return new Hold(id, generation);
        }
        boolean lost = false;
        for (boolean retried = false; ; retried = true) {
            boolean reused = connection != null;
            try {
                if (!tryLock(connection(), id)) {
                    if (lost) {
                        throw new LostException(null); // not taken, but earlier holds were lost: tell the owner
                    }
                    return null;
                }
                break;
            } catch (SQLException e) {
                lost |= broken(e);
                if (reused && !retried) {
                    // the connection broke before this step (the store restarted, a proxy dropped it between two
                    // heartbeats): that is not this step's failure; a fresh connection decides, as a pool would
                    continue;
                }
                // the store is down or frozen: AUDIT_UNAVAILABLE, as for any other step that needs it
                RuntimeException problem = StoreOutage.is(e)
                        ? new AuditUnavailableException("cluster lock: " + e.getMessage(), e)
                        : new TransferProblem(
                                Reason.SPOOL_UNAVAILABLE,
                                "転送のロックを取れません（データベース接続）/ cannot take the transfer's cluster lock: " + e.getMessage());
                if (lost) {
                    throw new LostException(problem);
                }
                throw problem;
            }
        }
        held.put(id, 1);
        Hold h = new Hold(id, generation);
        if (lost) {
            throw new LostException(null, h);
        }
        return h;
    }

    private static boolean tryLock(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key(id));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Gives back one hold; the lock goes when this node's last hold of it does. */
    void release(Hold h) {
        if (h == null) {
            return;
        }
        boolean lost;
        mutex.lock(); // a release always completes: the lock must not stay with a live session
        try {
            lost = releaseLocked(h);
        } finally {
            mutex.unlock();
        }
        if (lost) {
            onLost.run();
        }
    }

    private boolean releaseLocked(Hold h) {
        if (h.generation() != generation) {
            return false; // taken on a connection that broke since: PostgreSQL released it then
        }
        Integer n = held.get(h.id());
        if (n == null) {
            return false;
        }
        if (n > 1) {
            held.put(h.id(), n - 1);
            return false;
        }
        held.remove(h.id());
        try (PreparedStatement ps = connection().prepareStatement("SELECT pg_advisory_unlock(?)")) {
            ps.setLong(1, key(h.id()));
            ps.executeQuery().close();
            return false;
        } catch (SQLException e) {
            return broken(e);
        }
    }

    /** How many transfers this node holds now. */
    int held() {
        mutex.lock();
        try {
            return held.size();
        } finally {
            mutex.unlock();
        }
    }

    /** Checks the connection (every ~2 s); when it broke, every lock is lost: the owner is told at once. */
    void heartbeat() {
        boolean lost;
        if (!mutex.tryLock()) {
            return; // in use right now: alive enough, or the step using it finds out
        }
        try {
            if (connection == null) {
                return; // nothing held on a connection not yet (re)opened
            }
            try (Statement s = connection.createStatement()) {
                s.executeQuery("SELECT 1").close(); // bounded by the connection's socket timeout
                return;
            } catch (SQLException e) {
                lost = broken(e);
            }
        } finally {
            mutex.unlock();
        }
        if (lost) {
            onLost.run();
        }
    }

    /** Forgets the connection and every hold on it; true when any hold was lost. */
    private boolean broken(SQLException e) {
        boolean any = !held.isEmpty();
        LOG.error(
                "転送ロックのデータベース接続が切れました。保持していた {} 件のロックは失われ、進行中のPATCHを切断します / the cluster lock "
                        + "connection broke: the {} transfer locks it held are lost, PATCHes in progress are cut: {}",
                held.size(),
                held.size(),
                e.toString());
        held.clear();
        generation++;
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
        return any;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connector.open();
            connection.setAutoCommit(true);
        }
        return connection;
    }

    @Override
    public void close() {
        mutex.lock();
        try {
            held.clear();
            generation++;
            if (connection != null) {
                try {
                    connection.close(); // PostgreSQL releases every advisory lock of the session
                } catch (SQLException ignored) {
                    // closing anyway
                }
                connection = null;
            }
        } finally {
            mutex.unlock();
        }
    }
}
