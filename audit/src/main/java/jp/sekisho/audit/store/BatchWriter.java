package jp.sekisho.audit.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.ChainHasher;
import jp.sekisho.audit.json.Json;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes one batch of a node's chain in one transaction: lock the node's chain, read its head, chain
 * the events, stream them by COPY, announce them, commit. Used by the single writer thread only.
 */
final class BatchWriter {

    private static final int COPY_CHUNK = 64 * 1024;

    /** What a committed batch produced: the rows, the chain positions due for a checkpoint, the new head. */
    record Result(List<RecordedEvent> rows, List<ChainHead> due, ChainHead head) {}

    private final DataSource dataSource;
    private final String nodeId;
    private final String escapedNode;
    private final int networkTimeoutMs;
    private final ChainHasher hasher = new ChainHasher();
    private final Set<YearMonth> partitions = new HashSet<>();

    BatchWriter(DataSource dataSource, String nodeId, Duration timeout) {
        this.dataSource = dataSource;
        this.nodeId = nodeId;
        this.escapedNode = EventRows.escaped(nodeId);
        this.networkTimeoutMs = (int) timeout.toMillis();
    }

    /**
     * @param events          taken entries, barriers included (they are skipped)
     * @param sealed          the last sequence number a checkpoint was requested for
     * @param checkpointEvery request a checkpoint at every this many events
     * @param timeDue         also request one for the batch's last event
     */
    Result write(List<Pending> events, long sealed, int checkpointEvery, boolean timeDue) throws SQLException {
        List<RecordedEvent> rows = new ArrayList<>(events.size());
        List<ChainHead> due = new ArrayList<>();
        Set<YearMonth> knownPartitions = new HashSet<>(partitions);
        try (Connection c = dataSource.getConnection()) {
            c.setNetworkTimeout(Runnable::run, networkTimeoutMs);
            c.setAutoCommit(false);
            try {
                ChainHead h = lockedHead(c);
                sealed = Math.min(sealed, h.seq());
                Instant[] times = chainTimes(events, h.time());
                // partitions must exist before the COPY starts: no other statement runs during it
                ensurePartitions(c, times);
                CopyIn copyIn = null;
                StringBuilder text = new StringBuilder(COPY_CHUNK + 2048);
                try {
                    for (int k = 0; k < events.size(); k++) {
                        Pending p = events.get(k);
                        if (p.isBarrier()) {
                            continue;
                        }
                        long seq = h.seq() + 1;
                        String hash = hasher.hash(h.hash(), nodeId, seq, times[k], p.canonicalTail);
                        rows.add(new RecordedEvent(seq, times[k], nodeId, p.event, h.hash(), hash));
                        EventRows.append(text, escapedNode, seq, times[k], p.copyFields, h.hash(), hash);
                        h = new ChainHead(seq, hash, times[k]);
                        if (seq - sealed >= checkpointEvery) {
                            due.add(h); // every N events exactly; signed by the checkpointer after the commit
                            sealed = seq;
                        }
                        if (text.length() >= COPY_CHUNK) {
                            // stream as we hash, so PostgreSQL parses one chunk while we build the next
                            copyIn = copyIn != null
                                    ? copyIn
                                    : c.unwrap(PGConnection.class).getCopyAPI().copyIn(EventRows.COPY_SQL);
                            send(copyIn, text);
                        }
                    }
                    if (text.length() > 0) {
                        copyIn = copyIn != null
                                ? copyIn
                                : c.unwrap(PGConnection.class).getCopyAPI().copyIn(EventRows.COPY_SQL);
                        send(copyIn, text);
                    }
                    if (copyIn != null) {
                        copyIn.endCopy();
                    }
                } finally {
                    if (copyIn != null && copyIn.isActive()) {
                        copyIn.cancelCopy();
                    }
                }
                if (timeDue && h.seq() > sealed) {
                    due.add(h);
                }
                if (!rows.isEmpty()) {
                    notifyListeners(c, h.seq());
                }
                c.commit();
                return new Result(rows, due, h);
            } catch (SQLException | RuntimeException e) {
                abortQuietly(c);
                partitions.retainAll(knownPartitions); // a partition created in this transaction is gone again
                throw e;
            }
        }
    }

    /** Creates the partitions for now and next month ahead of the first write. */
    void prepare(Connection c) throws SQLException {
        Instant now = Instant.now();
        ensurePartition(c, YearMonth.from(now.atOffset(ZoneOffset.UTC)));
        ensurePartition(c, YearMonth.from(now.atOffset(ZoneOffset.UTC)).plusMonths(1));
    }

    /** Event times in chain order: never before the head's or the previous event's (clocks can step back). */
    private static Instant[] chainTimes(List<Pending> events, Instant headTime) {
        Instant[] times = new Instant[events.size()];
        Instant t = headTime;
        for (int k = 0; k < events.size(); k++) {
            Pending p = events.get(k);
            if (!p.isBarrier()) {
                t = p.time.isBefore(t) ? t : p.time;
                times[k] = t;
            }
        }
        return times;
    }

    /** Serialises writers of one node and reads the true head inside the transaction. */
    private ChainHead lockedHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")) {
            ps.setString(1, "sekisho-audit-chain:" + nodeId);
            ps.execute();
        }
        return readHead(c, nodeId);
    }

    static ChainHead readHead(Connection c, String nodeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, hash, time FROM audit_event WHERE node_id = ? ORDER BY seq DESC LIMIT 1")) {
            ps.setString(1, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return ChainHead.EMPTY;
                }
                return new ChainHead(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant());
            }
        }
    }

    private static void send(CopyIn copyIn, StringBuilder text) throws SQLException {
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        copyIn.writeToCopy(b, 0, b.length);
        text.setLength(0);
    }

    private void ensurePartitions(Connection c, Instant[] times) throws SQLException {
        YearMonth previous = null;
        for (Instant t : times) {
            if (t != null) {
                YearMonth m = YearMonth.from(t.atOffset(ZoneOffset.UTC));
                if (!m.equals(previous)) {
                    ensurePartition(c, m);
                    previous = m;
                }
            }
        }
    }

    private void ensurePartition(Connection c, YearMonth m) throws SQLException {
        if (partitions.contains(m)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT audit_ensure_partition(?)")) {
            ps.setObject(1, m.atDay(1).atStartOfDay(ZoneOffset.UTC).toOffsetDateTime());
            ps.execute();
        }
        partitions.add(m);
    }

    /** Delivered on commit to every {@code LISTEN sekisho_audit} session: {"node":"gw1","seq":123}. */
    private void notifyListeners(Connection c, long seq) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_notify('" + PostgresAuditLog.NOTIFY_CHANNEL + "', ?)")) {
            ps.setString(1, "{\"node\":" + Json.quote(new StringBuilder(), nodeId) + ",\"seq\":" + seq + "}");
            ps.execute();
        }
    }

    /**
     * Drops the physical connection instead of rolling back on it: after a timed-out COPY the driver
     * keeps the socket open, the COPY's late answers then arrive after a ROLLBACK was sent, and a
     * pooled connection that is one answer out of step fails the next batch (NoSuchElementException,
     * "Received resultset tuples, but no field structure") or worse. The server rolls the
     * transaction back when the session ends; the pool evicts the closed connection.
     */
    private static void abortQuietly(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // gone already: the transaction died with it
        }
    }
}
