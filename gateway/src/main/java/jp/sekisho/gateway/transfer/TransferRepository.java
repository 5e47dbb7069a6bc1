package jp.sekisho.gateway.transfer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.audit.EventType;
import jp.sekisho.gateway.policy.Jdbc;

/**
 * The transfer table. State changes are compare-and-set on the expected state(s), so two requests
 * racing on one transfer (a PATCH and a DELETE, an ack and the sweeper) cannot both win.
 */
public final class TransferRepository {

    private static final String COLUMNS = "id, route_id, approval_ref, node, sender_subject, sender_sha256, filename, "
            + "length, sha256, records, upload_offset, state, reason, created_at, updated_at, stored_at, delivered_at, "
            + "acknowledged_at, expires_at, receipt";

    // the states of the partial indexes of V6__transfer_route_listing.sql, written the same way
    private static final String IN_FLIGHT = "('UPLOADING', 'STORED', 'DELIVERED')";
    private static final String ENDED = "('ACKNOWLEDGED', 'PURGED', 'REJECTED', 'EXPIRED', 'ABORTED')";
    private static final String DELIVERED = "('ACKNOWLEDGED', 'PURGED')";
    private static final String NOT_DELIVERED = "('REJECTED', 'EXPIRED', 'ABORTED')";
    // package-private: TransferListingTest reads their plans
    static final String IN_FLIGHT_SQL = "SELECT " + COLUMNS + " FROM transfer WHERE route_id = ? AND state IN "
            + IN_FLIGHT + " ORDER BY created_at DESC, id LIMIT ?";
    static final String RECENTLY_ENDED_SQL = "SELECT " + COLUMNS + " FROM transfer WHERE route_id = ? AND state IN "
            + ENDED + " ORDER BY updated_at DESC, id LIMIT ?";
    static final String COUNTS_SQL = "SELECT r.id, "
            + "(SELECT count(*) FROM transfer t WHERE t.route_id = r.id AND t.state IN " + IN_FLIGHT
            + ") AS in_flight, "
            + "(SELECT count(*) FROM transfer t WHERE t.route_id = r.id AND t.state IN " + ENDED
            + " AND t.state IN " + DELIVERED + " AND t.updated_at >= ?) AS delivered, "
            + "(SELECT count(*) FROM transfer t WHERE t.route_id = r.id AND t.state IN " + ENDED
            + " AND t.state IN " + NOT_DELIVERED + " AND t.updated_at >= ?) AS not_delivered "
            + "FROM unnest(?) AS r(id)";

    private final DataSource ds;

    public TransferRepository(DataSource ds) {
        this.ds = ds;
    }

    public void create(Transfer t) {
        Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO transfer (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                int i = 1;
                ps.setString(i++, t.id());
                ps.setString(i++, t.routeId());
                ps.setString(i++, t.approvalRef());
                ps.setString(i++, t.node());
                ps.setString(i++, t.senderSubject());
                ps.setString(i++, t.senderSha256());
                ps.setString(i++, t.filename());
                ps.setObject(i++, t.length(), java.sql.Types.BIGINT);
                ps.setString(i++, t.sha256());
                ps.setLong(i++, t.records());
                ps.setLong(i++, t.offset());
                ps.setString(i++, t.state().name());
                ps.setString(i++, t.reason());
                ps.setTimestamp(i++, Jdbc.ts(t.createdAt()));
                ps.setTimestamp(i++, Jdbc.ts(t.updatedAt()));
                ps.setTimestamp(i++, Jdbc.ts(t.storedAt()));
                ps.setTimestamp(i++, Jdbc.ts(t.deliveredAt()));
                ps.setTimestamp(i++, Jdbc.ts(t.acknowledgedAt()));
                ps.setTimestamp(i++, Jdbc.ts(t.expiresAt()));
                ps.setString(i, t.receipt());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Transfer> find(String id) {
        List<Transfer> l = query("SELECT " + COLUMNS + " FROM transfer WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** STORED or DELIVERED transfers of a route, oldest first. */
    public List<Transfer> inbox(String routeId) {
        return query(
                "SELECT " + COLUMNS + " FROM transfer WHERE route_id = ? AND state IN ('STORED', 'DELIVERED') "
                        + "ORDER BY stored_at, id",
                routeId);
    }

    /**
     * A route's transfers still in flight (uploading, stored or delivered, not yet acknowledged),
     * newest first, at most {@code limit}: the console's route page. Index transfer_route_in_flight.
     */
    public List<Transfer> inFlight(String routeId, int limit) {
        return query(IN_FLIGHT_SQL, ps -> {
            ps.setString(1, routeId);
            ps.setInt(2, limit);
        });
    }

    /**
     * A route's transfers that have ended (acknowledged, purged, rejected, expired, aborted), the
     * latest end first, at most {@code limit}. Rows are never deleted, so the page reads only the
     * newest through index transfer_route_ended instead of everything the route ever carried.
     */
    public List<Transfer> recentlyEnded(String routeId, int limit) {
        return query(RECENTLY_ENDED_SQL, ps -> {
            ps.setString(1, routeId);
            ps.setInt(2, limit);
        });
    }

    /**
     * For each route: its transfers in flight now, and those that ended since {@code since},
     * delivered (acknowledged or purged) or not (rejected, expired, aborted). One statement; each
     * count reads one partial index for one route, whatever the table's size (the ended states are
     * repeated beside the narrower list so that the index's condition matches as written).
     */
    public Map<String, TransferCounts> counts(Collection<String> routeIds, Instant since) {
        if (routeIds.isEmpty()) {
            return Map.of();
        }
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(COUNTS_SQL)) {
                ps.setTimestamp(1, Jdbc.ts(since));
                ps.setTimestamp(2, Jdbc.ts(since));
                ps.setArray(3, Jdbc.textArray(c, List.copyOf(routeIds)));
                Map<String, TransferCounts> out = new LinkedHashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(
                                rs.getString("id"),
                                new TransferCounts(
                                        rs.getLong("in_flight"), rs.getLong("delivered"), rs.getLong("not_delivered")));
                    }
                }
                return out;
            }
        });
    }

    /** The transfers whose payload may still be in the (shared) spool, whichever node created them. */
    public List<Transfer> spooled() {
        return query("SELECT " + COLUMNS + " FROM transfer WHERE state IN " + IN_FLIGHT);
    }

    /** The transfers acknowledged whose purge is not recorded yet (a crash or a failure came between). */
    public List<Transfer> acknowledged() {
        return query("SELECT " + COLUMNS + " FROM transfer WHERE state = 'ACKNOWLEDGED'");
    }

    /**
     * When the audit store recorded the first event of {@code type} for transfer {@code id}, if it
     * did: the steps recorded with {@code commit} (STORED, ACKNOWLEDGED, PURGED) look here first, so
     * that a step done again after a crash between its event and its row never records it twice.
     * The audit table is in the same database as this one; its index on transfer_id answers this.
     */
    public Optional<Instant> recordedAt(String id, EventType type) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT min(time) AS recorded FROM audit_event WHERE transfer_id = ? AND event_type = ?")) {
                ps.setString(1, id);
                ps.setString(2, type.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.ofNullable(Jdbc.instant(rs, "recorded"));
                }
            }
        });
    }

    /**
     * The offset durably written, compare-and-set on the offset the writer started from and on
     * UPLOADING (a fence: a writer that lost its cluster lock cannot move an offset another node
     * moved since). Also moves Upload-Expires.
     */
    public boolean advance(String id, long from, long offset, Instant now, Instant expiresAt) {
        return update(
                        "UPDATE transfer SET upload_offset = ?, updated_at = ?, expires_at = ? "
                                + "WHERE id = ? AND state = 'UPLOADING' AND upload_offset = ?",
                        ps -> {
                            ps.setLong(1, offset);
                            ps.setTimestamp(2, Jdbc.ts(now));
                            ps.setTimestamp(3, Jdbc.ts(expiresAt));
                            ps.setString(4, id);
                            ps.setLong(5, from);
                        })
                == 1;
    }

    /**
     * Records a length or SHA-256 declared late (null: left as it is); only while UPLOADING. The
     * caller has checked, under the transfer's lock, that neither changes a value already declared.
     */
    public boolean declare(String id, Long length, String sha256, Instant now) {
        return update(
                        "UPDATE transfer SET length = COALESCE(length, ?), sha256 = COALESCE(sha256, ?), updated_at = ? "
                                + "WHERE id = ? AND state = 'UPLOADING'",
                        ps -> {
                            ps.setObject(1, length, java.sql.Types.BIGINT);
                            ps.setString(2, sha256);
                            ps.setTimestamp(3, Jdbc.ts(now));
                            ps.setString(4, id);
                        })
                == 1;
    }

    /**
     * UPLOADING → STORED, the moment the transfer becomes listable. The same statement notifies
     * {@link InboxNotices#CHANNEL} with the route id (delivered on commit), so receivers waiting on
     * any node list again.
     */
    public boolean markStored(String id, Instant now, Instant expiresAt, String receipt) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("WITH s AS (UPDATE transfer SET state = 'STORED', "
                    + "upload_offset = length, updated_at = ?, stored_at = ?, expires_at = ?, receipt = ? "
                    + "WHERE id = ? AND state = 'UPLOADING' RETURNING route_id) "
                    + "SELECT pg_notify('" + InboxNotices.CHANNEL + "', route_id) FROM s")) {
                ps.setTimestamp(1, Jdbc.ts(now));
                ps.setTimestamp(2, Jdbc.ts(now));
                ps.setTimestamp(3, Jdbc.ts(expiresAt));
                ps.setString(4, receipt);
                ps.setString(5, id);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                    }
                }
                return rows == 1;
            }
        });
    }

    public boolean markDelivered(String id, Instant now) {
        return update(
                        "UPDATE transfer SET state = 'DELIVERED', updated_at = ?, delivered_at = ? "
                                + "WHERE id = ? AND state = 'STORED'",
                        ps -> {
                            ps.setTimestamp(1, Jdbc.ts(now));
                            ps.setTimestamp(2, Jdbc.ts(now));
                            ps.setString(3, id);
                        })
                == 1;
    }

    /**
     * The receiver's acknowledgment, recorded before the spooled copy is deleted: STORED or
     * DELIVERED → ACKNOWLEDGED with the final receipt. A crash after it leaves a row that says the
     * copy is to be purged, which the start-up recovery completes.
     */
    public boolean markAcknowledged(String id, Instant acknowledgedAt, String receipt) {
        return update(
                        "UPDATE transfer SET state = 'ACKNOWLEDGED', updated_at = ?, acknowledged_at = ?, "
                                + "delivered_at = COALESCE(delivered_at, ?), receipt = ? WHERE id = ? AND state IN ('STORED', 'DELIVERED')",
                        ps -> {
                            ps.setTimestamp(1, Jdbc.ts(acknowledgedAt));
                            ps.setTimestamp(2, Jdbc.ts(acknowledgedAt));
                            ps.setTimestamp(3, Jdbc.ts(acknowledgedAt));
                            ps.setString(4, receipt);
                            ps.setString(5, id);
                        })
                == 1;
    }

    /** ACKNOWLEDGED → PURGED once the spooled copy is deleted and TRANSFER_PURGED recorded; keeps the final receipt. */
    public boolean markPurged(String id, Instant now) {
        return update(
                        "UPDATE transfer SET state = 'PURGED', updated_at = ? WHERE id = ? AND state = 'ACKNOWLEDGED'",
                        ps -> {
                            ps.setTimestamp(1, Jdbc.ts(now));
                            ps.setString(2, id);
                        })
                == 1;
    }

    /** Ends a transfer (REJECTED, EXPIRED, ABORTED) if it is still in one of {@code from}. */
    public boolean end(String id, List<TransferState> from, TransferState to, String reason, Instant now) {
        StringBuilder in = new StringBuilder();
        for (TransferState s : from) {
            in.append(in.length() == 0 ? "" : ",").append('\'').append(s.name()).append('\'');
        }
        return update(
                        "UPDATE transfer SET state = ?, reason = ?, updated_at = ? WHERE id = ? AND state IN (" + in
                                + ")",
                        ps -> {
                            ps.setString(1, to.name());
                            ps.setString(2, reason);
                            ps.setTimestamp(3, Jdbc.ts(now));
                            ps.setString(4, id);
                        })
                == 1;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }

    private List<Transfer> query(String sql, String... args) {
        return query(sql, ps -> {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
        });
    }

    private List<Transfer> query(String sql, Binder binder) {
        return Jdbc.inTransaction(ds, c -> read(c, sql, binder));
    }

    private static List<Transfer> read(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<Transfer> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Transfer(
                            rs.getString("id"),
                            rs.getString("route_id"),
                            rs.getString("approval_ref"),
                            rs.getString("node"),
                            rs.getString("sender_subject"),
                            rs.getString("sender_sha256"),
                            rs.getString("filename"),
                            rs.getObject("length", Long.class),
                            rs.getString("sha256"),
                            rs.getLong("records"),
                            rs.getLong("upload_offset"),
                            TransferState.valueOf(rs.getString("state")),
                            rs.getString("reason"),
                            Jdbc.instant(rs, "created_at"),
                            Jdbc.instant(rs, "updated_at"),
                            Jdbc.instant(rs, "stored_at"),
                            Jdbc.instant(rs, "delivered_at"),
                            Jdbc.instant(rs, "acknowledged_at"),
                            Jdbc.instant(rs, "expires_at"),
                            rs.getString("receipt")));
                }
            }
            return out;
        }
    }
}
