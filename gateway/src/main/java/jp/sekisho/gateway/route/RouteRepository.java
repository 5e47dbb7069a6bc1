package jp.sekisho.gateway.route;

import static jp.sekisho.gateway.policy.Jdbc.textArray;
import static jp.sekisho.gateway.policy.Jdbc.texts;
import static jp.sekisho.gateway.policy.Jdbc.ts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;
import jp.sekisho.gateway.policy.PolicySeal;
import jp.sekisho.gateway.policy.SealedContent;
import jp.sekisho.gateway.relay.RelayRepository;
import jp.sekisho.gateway.relay.RelayRoute;

/**
 * Routes in PostgreSQL; every change notifies all gateway nodes in the same transaction. Each
 * route row carries a {@link PolicySeal} over the route and its parties, so a route re-linked to
 * another approval, or given another sender, outside the gateway is detected when read.
 */
public final class RouteRepository {

    /**
     * Live routes as read, those whose seal check failed (id to what failed), and the deleted ones'
     * deletions. A tampered live route is in {@code routes} too, so the edge still knows its listener,
     * but carries nothing; a deleted route is not in {@code routes} (it opens nothing), and is in
     * {@code tampered} as well when its row no longer matches the deletion's seal.
     */
    public record Loaded(Map<String, Route> routes, Map<String, String> tampered, Map<String, RouteDeletion> deleted) {}

    /** The route could not be deleted: unknown, already deleted (then {@code deletion} says when and by whom). */
    public static final class NotDeletable extends RuntimeException {
        private final transient RouteDeletion deletion;

        NotDeletable(String message, RouteDeletion deletion) {
            super(message);
            this.deletion = deletion;
        }

        public RouteDeletion deletion() {
            return deletion;
        }
    }

    private final DataSource ds;
    private final PolicySeal seal;

    public RouteRepository(DataSource ds, PolicySeal seal) {
        this.ds = ds;
        this.seal = seal;
    }

    /** Inserts or replaces the routes in one transaction (a routes file is applied whole or not at all). */
    public void upsertAll(List<Route> routes, Instant now) {
        upsertAll(routes, List.of(), now);
    }

    /** Batch and relay routes of one routes file, in one transaction. */
    public void upsertAll(List<Route> routes, List<RelayRoute> relays, Instant now) {
        upsertAll(routes, relays, Map.of(), now);
    }

    /**
     * Batch and relay routes of one routes file and the deletion of the stored routes it leaves out
     * ({@code routes apply --prune}), in one transaction.
     */
    public void upsertAll(List<Route> routes, List<RelayRoute> relays, Map<String, RouteDeletion> prune, Instant now) {
        RelayRepository relayRows = new RelayRepository(ds, seal);
        Jdbc.inTransaction(ds, c -> {
            for (Map.Entry<String, RouteDeletion> d : prune.entrySet()) {
                deleteOn(c, d.getKey(), d.getValue());
            }
            for (Route r : routes) {
                upsert(c, r, now, seal.seal(content(r)));
            }
            for (RelayRoute r : relays) {
                relayRows.upsert(c, r, now);
            }
            Jdbc.notifyPolicyChanged(c, "routes");
            return null;
        });
    }

    public Map<String, Route> all() {
        return loadAll().routes();
    }

    /** Every route with its seal checked. */
    public Loaded loadAll() {
        return Jdbc.inTransaction(ds, c -> {
            // two statements, one snapshot: a route applied meanwhile must not look tampered
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            return read(c, null);
        });
    }

    /** The ids of deleted routes: not reused (docs/approvals-and-routes.md). */
    public Map<String, RouteDeletion> deleted() {
        return loadAll().deleted();
    }

    /** What a deletion removed: exactly one of the two, as it was before. */
    public record Removed(Route route, RelayRoute relay) {
        public String approvalRef() {
            return route != null ? route.approvalRef() : relay.approvalRef();
        }
    }

    /**
     * Marks a live route (batch or relay) deleted, in one transaction that notifies every node: the
     * row stays, sealed over its last spec and the deletion.
     *
     * @throws NotDeletable when no live route has this id
     */
    public Removed delete(String id, RouteDeletion deletion) {
        return Jdbc.inTransaction(ds, c -> {
            Removed r = deleteOn(c, id, deletion);
            Jdbc.notifyPolicyChanged(c, "routes:deleted");
            return r;
        });
    }

    /**
     * Deletes on the caller's transaction. The row is locked and read again first, so the seal covers
     * exactly what is stored even if another node changed it a moment ago.
     */
    private Removed deleteOn(Connection c, String id, RouteDeletion deletion) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM route WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    RelayRoute relay;
                    try {
                        relay = new RelayRepository(ds, seal).delete(c, id, deletion);
                    } catch (IllegalStateException e) {
                        throw new NotDeletable(e.getMessage(), null);
                    }
                    if (relay == null) {
                        throw new NotDeletable("no route " + id, null);
                    }
                    return new Removed(null, relay);
                }
            }
        }
        Loaded now = read(c, id);
        RouteDeletion earlier = now.deleted().get(id);
        if (earlier != null) {
            throw new NotDeletable("route " + id + " was already deleted", earlier);
        }
        Route r = now.routes().get(id);
        try (PreparedStatement ps = c.prepareStatement("UPDATE route SET deleted_at = ?, deleted_by = ?, "
                + "deleted_reason = ?, seal = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL")) {
            ps.setTimestamp(1, ts(deletion.at()));
            ps.setString(2, deletion.by());
            ps.setString(3, deletion.reason());
            ps.setString(4, seal.seal(deletedContent(r, deletion)));
            ps.setTimestamp(5, ts(deletion.at()));
            ps.setString(6, id);
            ps.executeUpdate();
        }
        return new Removed(r, null);
    }

    /** The rows (all, or the one {@code onlyId}) read on {@code c}, each checked against its seal. */
    private Loaded read(Connection c, String onlyId) throws SQLException {
        Map<String, String> seals = new LinkedHashMap<>();
        Map<String, List<Party>> senders = new LinkedHashMap<>();
        Map<String, List<Party>> receivers = new LinkedHashMap<>();
        String where = onlyId == null ? "" : " WHERE route_id = ?";
        try (PreparedStatement ps = c.prepareStatement("SELECT route_id, role, subject, sha256, allow FROM route_party"
                + where + " ORDER BY route_id, role, position")) {
            if (onlyId != null) {
                ps.setString(1, onlyId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Party p = new Party(rs.getString("subject"), rs.getString("sha256"), texts(rs, "allow"));
                    ("SENDER".equals(rs.getString("role")) ? senders : receivers)
                            .computeIfAbsent(rs.getString("route_id"), k -> new ArrayList<>())
                            .add(p);
                }
            }
        }
        Map<String, Route> routes = new LinkedHashMap<>();
        Map<String, RouteDeletion> deleted = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, listener, approval_ref, max_payload_bytes, "
                + "retention_seconds, allow_cbc, compression, recipients, seal, deleted_at, deleted_by, deleted_reason FROM route"
                + (onlyId == null ? "" : " WHERE id = ?") + " ORDER BY id")) {
            if (onlyId != null) {
                ps.setString(1, onlyId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("id");
                    routes.put(
                            id,
                            new Route(
                                    id,
                                    rs.getString("listener"),
                                    rs.getString("approval_ref"),
                                    senders.getOrDefault(id, List.of()),
                                    receivers.getOrDefault(id, List.of()),
                                    texts(rs, "recipients"),
                                    rs.getLong("max_payload_bytes"),
                                    Duration.ofSeconds(rs.getLong("retention_seconds")),
                                    rs.getBoolean("allow_cbc"),
                                    rs.getBoolean("compression")));
                    seals.put(id, rs.getString("seal"));
                    if (rs.getTimestamp("deleted_at") != null) {
                        deleted.put(
                                id,
                                new RouteDeletion(
                                        Jdbc.instant(rs, "deleted_at"),
                                        rs.getString("deleted_by"),
                                        rs.getString("deleted_reason")));
                    }
                }
            }
        }
        Map<String, String> tampered = new LinkedHashMap<>();
        routes.forEach((id, r) -> {
            RouteDeletion d = deleted.get(id);
            String problem = seal.problem(seals.get(id), d == null ? content(r) : deletedContent(r, d));
            if (problem != null) {
                tampered.put(id, problem);
            }
        });
        routes.keySet().removeAll(deleted.keySet());
        return new Loaded(routes, tampered, deleted);
    }

    /** Seals the routes a version before sealing left unsealed (once, by the start that created the key). */
    public List<String> sealUnsealed() {
        Loaded all = loadAll();
        return Jdbc.inTransaction(ds, c -> {
            List<String> sealed = new ArrayList<>();
            for (Route r : all.routes().values()) {
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE route SET seal = ? WHERE id = ? AND seal IS NULL")) {
                    ps.setString(1, seal.seal(content(r)));
                    ps.setString(2, r.id());
                    if (ps.executeUpdate() == 1) {
                        sealed.add(r.id());
                    }
                }
            }
            if (!sealed.isEmpty()) {
                Jdbc.notifyPolicyChanged(c, "routes:sealed");
            }
            return sealed;
        });
    }

    /** What a route's seal covers: everything that decides who may send what to whom, on which approval. */
    static SealedContent content(Route r) {
        return fields(SealedContent.of("sekisho/route/v1"), r);
    }

    /** A deleted route's seal: the deletion, then the same fields as a live one's. */
    static SealedContent deletedContent(Route r, RouteDeletion d) {
        return fields(d.sealed("sekisho/route-deleted/v1"), r);
    }

    private static SealedContent fields(SealedContent s, Route r) {
        s.text(r.id())
                .text(r.listener())
                .text(r.approvalRef())
                .texts(r.recipientCertificates())
                .number(r.maxPayloadBytes())
                .number(r.retention().toSeconds())
                .flag(r.allowCbc());
        for (List<Party> side : List.of(r.senders(), r.receivers())) {
            s.number(side.size());
            for (Party p : side) {
                s.text(p.subject()).text(p.sha256()).texts(p.allow());
            }
        }
        if (!r.compression()) {
            // only the non-default is sealed: a row sealed before V13 (compression allowed) keeps its seal
            s.text("compression").flag(false);
        }
        return s;
    }

    private static void upsert(Connection c, Route r, Instant now, String rowSeal) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO route (id, listener, approval_ref, max_payload_bytes, "
                        + "retention_seconds, allow_cbc, recipients, updated_at, seal, compression) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET "
                        + "listener = EXCLUDED.listener, approval_ref = EXCLUDED.approval_ref, max_payload_bytes = "
                        + "EXCLUDED.max_payload_bytes, retention_seconds = EXCLUDED.retention_seconds, allow_cbc = EXCLUDED.allow_cbc, "
                        + "recipients = EXCLUDED.recipients, updated_at = EXCLUDED.updated_at, seal = EXCLUDED.seal, "
                        + "compression = EXCLUDED.compression "
                        // a deleted id stays deleted: RouteService refuses it first, this is the backstop
                        + "WHERE route.deleted_at IS NULL")) {
            ps.setString(1, r.id());
            ps.setString(2, r.listener());
            ps.setString(3, r.approvalRef());
            ps.setLong(4, r.maxPayloadBytes());
            ps.setLong(5, r.retention().toSeconds());
            ps.setBoolean(6, r.allowCbc());
            ps.setArray(7, textArray(c, r.recipientCertificates()));
            ps.setTimestamp(8, ts(now));
            ps.setString(9, rowSeal);
            ps.setBoolean(10, r.compression());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("route " + r.id() + " was deleted: its id is not reused");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM route_party WHERE route_id = ?")) {
            ps.setString(1, r.id());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO route_party (route_id, role, position, subject, sha256, allow) VALUES (?,?,?,?,?,?)")) {
            addParties(c, ps, r.id(), "SENDER", r.senders());
            addParties(c, ps, r.id(), "RECEIVER", r.receivers());
            ps.executeBatch();
        }
    }

    private static void addParties(Connection c, PreparedStatement ps, String id, String role, List<Party> parties)
            throws SQLException {
        for (int i = 0; i < parties.size(); i++) {
            Party p = parties.get(i);
            ps.setString(1, id);
            ps.setString(2, role);
            ps.setInt(3, i);
            ps.setString(4, p.subject());
            ps.setString(5, p.sha256());
            ps.setArray(6, textArray(c, p.allow()));
            ps.addBatch();
        }
    }
}
