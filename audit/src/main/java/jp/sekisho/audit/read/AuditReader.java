package jp.sekisho.audit.read;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.keys.KeySet;
import jp.sekisho.audit.verify.AuditVerifier;
import jp.sekisho.audit.verify.VerifyResult;

/**
 * Reads the audit store: search, streaming export and verification. Every read is itself audited
 * (AUDIT_READ, committed before any row is returned, so an unaudited read cannot happen); a read
 * session ({@link #openSession}) records one AUDIT_READ for the many searches of a live view. Rows stream
 * through a server-side cursor in one read-only snapshot, so exports of millions of rows run in
 * bounded memory and see checkpoints and events consistently.
 */
public final class AuditReader {

    private static final int FETCH = 1000;

    /** Rows a page holds when the query sets no limit. */
    public static final int DEFAULT_PAGE = 100;

    /** Most rows one page may hold. */
    public static final int MAX_PAGE = 10_000;

    /** The cap {@link #count} is usually given: "10,000件以上 / 10,000+ events" beyond it. */
    public static final int DEFAULT_COUNT_CAP = 10_000;

    private static final int MAX_COUNT_CAP = 1_000_000;

    private final DataSource dataSource;
    private final AuditLog log;
    private final ReadSessions sessions;

    public AuditReader(DataSource dataSource, AuditLog log) {
        this(dataSource, log, new ReadSessions());
    }

    /** With its own session registry (tests: a clock that moves, a small bound). */
    public AuditReader(DataSource dataSource, AuditLog log, ReadSessions sessions) {
        this.dataSource = dataSource;
        this.log = log;
        this.sessions = sessions;
    }

    /**
     * Matching events, at most {@code q.limit()} (1000 when unset), and nothing said when there were
     * more: for callers that asked for a bound and know it. People's searches use {@link #page}.
     */
    public List<RecordedEvent> search(AuditQuery q, AuditPrincipal reader) {
        AuditQuery bounded = q.limit() == 0 ? q.limit(1000) : q;
        audit(reader, "search", bounded, null, null);
        return read(bounded, bounded.limit());
    }

    /**
     * One page of matching events in the query's order ({@link AuditQuery#newestFirst()} for people),
     * at most {@code q.limit()} ({@value #DEFAULT_PAGE} when unset, {@value #MAX_PAGE} at most), saying
     * whether there are more and where the next page starts. Records one AUDIT_READ.
     */
    public EventPage page(AuditQuery q, AuditPrincipal reader) {
        AuditQuery bounded = pageLimit(q);
        audit(reader, "search", bounded, null, null);
        return cut(bounded, read(bounded, bounded.limit() + 1));
    }

    /**
     * How many events match the query's filters (its cursors and limit ignored), exact up to {@code
     * cap} and "at least cap" beyond ({@link EventCount#capped()}). Records one AUDIT_READ.
     */
    public EventCount count(AuditQuery q, int cap, AuditPrincipal reader) {
        checkCap(cap);
        audit(reader, "count", q.filters(), null, null);
        return countRows(q, cap);
    }

    /**
     * Opens a read session for {@code reader}: records ONE AUDIT_READ (op "session", the purpose, the
     * filter) and returns the session that {@link #search(AuditQuery, ReadSession)} and {@link
     * #count(AuditQuery, int, ReadSession)} then read under without recording again, for {@link
     * ReadSessions#TTL}. The filter is {@code filter.filters()}: any page of it may be read.
     */
    public ReadSession openSession(AuditPrincipal reader, String purpose, AuditQuery filter) {
        java.util.Objects.requireNonNull(reader, "reader");
        AuditQuery f = filter.filters();
        if (purpose == null || purpose.isBlank() || purpose.length() > ReadSessions.MAX_PURPOSE) {
            throw new IllegalArgumentException("purpose: 1〜" + ReadSessions.MAX_PURPOSE + "文字で指定してください / must be 1 to "
                    + ReadSessions.MAX_PURPOSE + " characters");
        }
        audit(reader, "session", f, null, purpose);
        return sessions.open(reader, purpose, f);
    }

    /**
     * The open session {@code id} of {@code reader}, e.g. from a live view's poll.
     *
     * @throws ReadSessionRefused unknown (never opened, or ended by a restart), expired, or someone else's
     */
    public ReadSession session(String id, AuditPrincipal reader) {
        return sessions.get(id, reader);
    }

    /** Ends {@code reader}'s session early; anything else is ignored. */
    public void closeSession(String id, AuditPrincipal reader) {
        sessions.close(id, reader);
    }

    /**
     * A page, as {@link #page}, read under {@code session}: records nothing (the session's AUDIT_READ
     * covers it).
     *
     * @throws ReadSessionRefused when the session is not live, not this registry's, or {@code q} filters
     *     differently from what it was opened for
     */
    public EventPage search(AuditQuery q, ReadSession session) {
        sessions.check(session, q);
        AuditQuery bounded = pageLimit(q);
        return cut(bounded, read(bounded, bounded.limit() + 1));
    }

    /** A count, as {@link #count(AuditQuery, int, AuditPrincipal)}, read under {@code session}: records nothing. */
    public EventCount count(AuditQuery q, int cap, ReadSession session) {
        checkCap(cap);
        sessions.check(session, q);
        return countRows(q, cap);
    }

    private static AuditQuery pageLimit(AuditQuery q) {
        if (q.limit() > MAX_PAGE) {
            throw new IllegalArgumentException(
                    "limit: 1〜" + MAX_PAGE + "の整数を指定してください / must be an integer from 1 to " + MAX_PAGE);
        }
        return q.limit() == 0 ? q.limit(DEFAULT_PAGE) : q;
    }

    private static void checkCap(int cap) {
        if (cap < 1 || cap > MAX_COUNT_CAP) {
            throw new IllegalArgumentException("cap must be from 1 to " + MAX_COUNT_CAP);
        }
    }

    /** The first {@code q.limit()} rows of {@code rows} (read with one more): the page and whether it was cut. */
    private static EventPage cut(AuditQuery q, List<RecordedEvent> rows) {
        if (rows.size() <= q.limit()) {
            return new EventPage(rows, false, null);
        }
        List<RecordedEvent> events = rows.subList(0, q.limit());
        return new EventPage(events, true, Cursor.of(events.get(events.size() - 1)));
    }

    private List<RecordedEvent> read(AuditQuery q, int limit) {
        List<RecordedEvent> out = new ArrayList<>();
        inSnapshot(c -> {
            try (PreparedStatement ps = QuerySql.of(q, limit).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(EventRowMapper.event(rs));
                    }
                }
            }
            return null;
        });
        return out;
    }

    private EventCount countRows(AuditQuery q, int cap) {
        long n = inSnapshot(c -> {
            try (PreparedStatement ps = QuerySql.count(q, cap).prepare(c);
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        return n > cap ? new EventCount(cap, true) : new EventCount(n, false);
    }

    /**
     * Streams the matching events and the checkpoints of their nodes to {@code out}, closed by an end
     * record (an error record if the store fails mid-stream); returns the event count.
     */
    public long export(AuditQuery q, AuditPrincipal reader, ExportFormat format, OutputStream out) {
        try (ExportSnapshot snapshot = openExport(q, reader, format)) {
            return snapshot.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Audits the read and opens its snapshot, without writing yet: a store that is down fails here,
     * before any byte of a response. The caller closes the snapshot.
     */
    public ExportSnapshot openExport(AuditQuery q, AuditPrincipal reader, ExportFormat format) {
        // exports read in chain order whatever the query asked: the order the chains verify in
        AuditQuery chain = q.order(AuditQuery.Order.CHAIN);
        audit(reader, "export", chain, format.name().toLowerCase(Locale.ROOT), null);
        return ExportSnapshot.open(dataSource, chain, format);
    }

    /** Verifies every chain in the store against checkpoints signed by {@code key}. */
    public VerifyResult verify(PublicKey key, AuditPrincipal reader) {
        return verify(key, null, reader);
    }

    /** Verifies the chain of one node ({@code nodeId}), or of all nodes when null, with the one key {@code key}. */
    public VerifyResult verify(PublicKey key, String nodeId, AuditPrincipal reader) {
        return verify(KeySet.of(key, "key " + AuditSigningKey.keyId(key)), nodeId, reader, false);
    }

    /**
     * Verifies the chain of one node ({@code nodeId}), or of all nodes when null, with {@code keys}; see {@link
     * AuditVerifier#verify(Iterator, List, KeySet, boolean, String)}.
     */
    public VerifyResult verify(KeySet keys, String nodeId, AuditPrincipal reader, boolean archivedStart) {
        AuditQuery q = AuditQuery.all().node(nodeId);
        audit(reader, "verify", q, null, null);
        return inSnapshot(c -> {
            List<Checkpoint> cps = checkpoints(c, nodeId);
            try (PreparedStatement ps = QuerySql.of(q).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    return AuditVerifier.verify(new RowIterator(rs), cps, keys, archivedStart, nodeId);
                }
            }
        });
    }

    /**
     * Verifies archived months ({@code archived}, oldest first, with their checkpoints) followed by the live log, as
     * one chain per node: the live log's first remaining event must link to the last archived one. Chains may
     * start right after a signed checkpoint (older archives not given). Records one AUDIT_READ.
     */
    public VerifyResult verifyContinuing(
            KeySet keys, AuditPrincipal reader, Iterator<RecordedEvent> archived, List<Checkpoint> archivedCps) {
        AuditQuery q = AuditQuery.all();
        audit(reader, "verify", q, null, "archives and live log");
        return inSnapshot(c -> {
            java.util.Map<String, Checkpoint> merged = new java.util.TreeMap<>();
            for (Checkpoint cp : checkpoints(c, null)) {
                merged.put(cp.nodeId() + "#" + cp.seq(), cp);
            }
            for (Checkpoint cp : archivedCps) {
                Checkpoint live = merged.putIfAbsent(cp.nodeId() + "#" + cp.seq(), cp);
                if (live != null && !live.equals(cp)) {
                    return new VerifyResult.Broken(
                            cp.nodeId(),
                            cp.seq(),
                            VerifyResult.Kind.BAD_CHECKPOINT,
                            "the archive's checkpoint at " + cp.nodeId() + "#" + cp.seq()
                                    + " differs from the store's");
                }
            }
            try (PreparedStatement ps = QuerySql.of(q).prepare(c)) {
                ps.setFetchSize(FETCH);
                try (ResultSet rs = ps.executeQuery()) {
                    Iterator<RecordedEvent> live = new RowIterator(rs);
                    Iterator<RecordedEvent> both = new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return archived.hasNext() || live.hasNext();
                        }

                        @Override
                        public RecordedEvent next() {
                            return archived.hasNext() ? archived.next() : live.next();
                        }
                    };
                    return AuditVerifier.verify(both, new ArrayList<>(merged.values()), keys, true, null);
                }
            }
        });
    }

    static String keyIdOf(Connection c) throws SQLException {
        try (var rs =
                c.createStatement().executeQuery("SELECT key_id FROM audit_checkpoint ORDER BY time DESC LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static List<Checkpoint> checkpoints(Connection c, String nodeId) throws SQLException {
        String sql = "SELECT node_id, seq, time, hash, key_id, algorithm, signature FROM audit_checkpoint"
                + (nodeId == null ? "" : " WHERE node_id = ?") + " ORDER BY node_id, seq";
        List<Checkpoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (nodeId != null) {
                ps.setString(1, nodeId);
            }
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(EventRowMapper.checkpoint(rs));
                }
            }
        }
        return out;
    }

    private void audit(AuditPrincipal reader, String op, AuditQuery q, String format, String purpose) {
        StringBuilder d = new StringBuilder("{\"op\":");
        Json.quote(d, op).append(",\"query\":").append(q.toJson());
        if (format != null) {
            d.append(",\"format\":");
            Json.quote(d, format);
        }
        if (purpose != null) {
            d.append(",\"purpose\":");
            Json.quote(d, purpose);
        }
        d.append('}');
        log.commit(AuditEvent.of(EventType.AUDIT_READ, Outcome.ALLOW)
                .principal(reader)
                .detailJson(d.toString())
                .build());
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** How long a snapshot read may wait for the server's next answer (the pool's default is the write timeout). */
    static final int SNAPSHOT_READ_TIMEOUT_MS = 60_000;

    private <T> T inSnapshot(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            // a scan may go long between rows; the AUDIT_READ commit before it already failed if the store is down
            c.setNetworkTimeout(Runnable::run, SNAPSHOT_READ_TIMEOUT_MS);
            c.setAutoCommit(false); // a cursor streams only inside a transaction
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return work.run(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
        }
    }

    /** Adapts a forward-only result set to the verifier's iterator. */
    private static final class RowIterator implements Iterator<RecordedEvent> {
        private final ResultSet rs;
        private Boolean ready;

        RowIterator(ResultSet rs) {
            this.rs = rs;
        }

        @Override
        public boolean hasNext() {
            if (ready == null) {
                try {
                    ready = rs.next();
                } catch (SQLException e) {
                    throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
                }
            }
            return ready;
        }

        @Override
        public RecordedEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = null;
            try {
                return EventRowMapper.event(rs);
            } catch (SQLException e) {
                throw new AuditUnavailableException("audit store read failed: " + Database.oneLine(e), e);
            }
        }
    }
}
