package jp.sekisho.gateway.relay;

import static jp.sekisho.gateway.policy.Jdbc.ts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;
import jp.sekisho.gateway.policy.PolicySeal;
import jp.sekisho.gateway.policy.SealedContent;
import jp.sekisho.gateway.route.RouteDeletion;

/**
 * Relay routes in PostgreSQL ({@code relay_route}), each row the route's canonical JSON
 * ({@link RelaySpec}) under a {@link PolicySeal}, so a row changed outside the gateway is detected
 * when read. Written in the transaction that stores the batch routes of the same file
 * ({@code RouteRepository.upsertAll}).
 */
public final class RelayRepository {

    /**
     * Relay routes as read, and those whose seal check failed (id to what failed). A tampered relay
     * route whose spec still reads is in {@code relays} too (its state is APPROVAL_TAMPERED); one
     * whose spec does not read at all is only in {@code tampered}: its listener carries nothing. A
     * deleted one is only in {@code deleted} (and in {@code tampered} when its row fails the deletion's seal).
     */
    public record Loaded(
            Map<String, RelayRoute> relays, Map<String, String> tampered, Map<String, RouteDeletion> deleted) {}

    private final DataSource ds;
    private final PolicySeal seal;

    public RelayRepository(DataSource ds, PolicySeal seal) {
        this.ds = ds;
        this.seal = seal;
    }

    /** Every relay route with its seal checked. */
    public Loaded loadAll() {
        return Jdbc.inTransaction(ds, c -> read(c, null));
    }

    /**
     * Marks a live relay route deleted inside the caller's transaction (see {@code RouteRepository.delete}):
     * the row is locked and read again, then sealed over its last spec and the deletion.
     *
     * @return the relay route as it was, or null when no relay route has this id
     * @throws IllegalStateException when it was deleted already, or its stored spec does not read
     */
    public RelayRoute delete(Connection c, String id, RouteDeletion deletion) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM relay_route WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        Loaded now = read(c, id);
        if (now.deleted().containsKey(id)) {
            throw new IllegalStateException("relay route " + id + " was already deleted");
        }
        RelayRoute r = now.relays().get(id);
        if (r == null) {
            throw new IllegalStateException(
                    "relay route " + id + ": " + now.tampered().get(id));
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE relay_route SET deleted_at = ?, deleted_by = ?, "
                + "deleted_reason = ?, seal = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL")) {
            ps.setTimestamp(1, ts(deletion.at()));
            ps.setString(2, deletion.by());
            ps.setString(3, deletion.reason());
            ps.setString(4, seal.seal(deletedContent(r, deletion)));
            ps.setTimestamp(5, ts(deletion.at()));
            ps.setString(6, id);
            ps.executeUpdate();
        }
        return r;
    }

    private Loaded read(Connection c, String onlyId) throws SQLException {
        Map<String, RelayRoute> relays = new LinkedHashMap<>();
        Map<String, String> tampered = new LinkedHashMap<>();
        Map<String, RouteDeletion> deleted = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, listener, approval_ref, spec, seal, deleted_at, deleted_by, deleted_reason FROM relay_route"
                        + (onlyId == null ? "" : " WHERE id = ?") + " ORDER BY id")) {
            if (onlyId != null) {
                ps.setString(1, onlyId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("id");
                    RouteDeletion deletion = rs.getTimestamp("deleted_at") == null
                            ? null
                            : new RouteDeletion(
                                    Jdbc.instant(rs, "deleted_at"),
                                    rs.getString("deleted_by"),
                                    rs.getString("deleted_reason"));
                    if (deletion != null) {
                        deleted.put(id, deletion);
                    }
                    RelayRoute r;
                    try {
                        RelayRoute spec = RelaySpec.parse(rs.getString("spec"));
                        // the columns are what the foreign key and the listener's uniqueness judge: the
                        // route is read with them, so a column changed alone fails the seal too
                        r = new RelayRoute(
                                id,
                                rs.getString("listener"),
                                rs.getString("approval_ref"),
                                spec.mode(),
                                spec.terminals(),
                                spec.upstream(),
                                spec.limits());
                    } catch (RuntimeException e) {
                        tampered.put(
                                id,
                                "the stored relay route does not read (" + e.getMessage()
                                        + "): changed outside the gateway");
                        continue;
                    }
                    String problem = seal.problem(
                            rs.getString("seal"), deletion == null ? content(r) : deletedContent(r, deletion));
                    if (problem != null) {
                        tampered.put(id, problem);
                    }
                    if (deletion == null) {
                        relays.put(id, r);
                    }
                }
            }
        }
        return new Loaded(relays, tampered, deleted);
    }

    /** What a relay row's seal covers: the whole route, canonically. */
    static SealedContent content(RelayRoute r) {
        return fields(SealedContent.of("sekisho/relay/v1"), r);
    }

    /** A deleted relay route's seal: the deletion, then the same fields as a live one's. */
    static SealedContent deletedContent(RelayRoute r, RouteDeletion d) {
        return fields(d.sealed("sekisho/relay-deleted/v1"), r);
    }

    private static SealedContent fields(SealedContent s, RelayRoute r) {
        return s.text(r.id()).text(r.listener()).text(r.approvalRef()).text(RelaySpec.canonical(r));
    }

    /** Inserts or replaces one relay route inside the caller's transaction. */
    public void upsert(Connection c, RelayRoute r, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO relay_route (id, listener, approval_ref, spec, seal, updated_at) VALUES (?,?,?,?,?,?) "
                        + "ON CONFLICT (id) DO UPDATE SET listener = EXCLUDED.listener, approval_ref = "
                        + "EXCLUDED.approval_ref, spec = EXCLUDED.spec, seal = EXCLUDED.seal, updated_at = "
                        + "EXCLUDED.updated_at WHERE relay_route.deleted_at IS NULL")) {
            ps.setString(1, r.id());
            ps.setString(2, r.listener());
            ps.setString(3, r.approvalRef());
            ps.setString(4, RelaySpec.canonical(r));
            ps.setString(5, seal.seal(content(r)));
            ps.setTimestamp(6, ts(now));
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("relay route " + r.id() + " was deleted: its id is not reused");
            }
        }
    }
}
