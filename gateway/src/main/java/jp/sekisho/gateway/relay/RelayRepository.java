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
     * whose spec does not read at all is only in {@code tampered}: its listener carries nothing.
     */
    public record Loaded(Map<String, RelayRoute> relays, Map<String, String> tampered) {}

    private final DataSource ds;
    private final PolicySeal seal;

    public RelayRepository(DataSource ds, PolicySeal seal) {
        this.ds = ds;
        this.seal = seal;
    }

    /** Every relay route with its seal checked. */
    public Loaded loadAll() {
        return Jdbc.inTransaction(ds, c -> {
            Map<String, RelayRoute> relays = new LinkedHashMap<>();
            Map<String, String> tampered = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT id, listener, approval_ref, spec, seal FROM relay_route ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString("id");
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
                    relays.put(id, r);
                    String problem = seal.problem(rs.getString("seal"), content(r));
                    if (problem != null) {
                        tampered.put(id, problem);
                    }
                }
            }
            return new Loaded(relays, tampered);
        });
    }

    /** What a relay row's seal covers: the whole route, canonically. */
    static SealedContent content(RelayRoute r) {
        return SealedContent.of("sekisho/relay/v1")
                .text(r.id())
                .text(r.listener())
                .text(r.approvalRef())
                .text(RelaySpec.canonical(r));
    }

    /** Inserts or replaces one relay route inside the caller's transaction. */
    public void upsert(Connection c, RelayRoute r, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO relay_route (id, listener, approval_ref, spec, seal, updated_at) VALUES (?,?,?,?,?,?) "
                        + "ON CONFLICT (id) DO UPDATE SET listener = EXCLUDED.listener, approval_ref = "
                        + "EXCLUDED.approval_ref, spec = EXCLUDED.spec, seal = EXCLUDED.seal, updated_at = "
                        + "EXCLUDED.updated_at")) {
            ps.setString(1, r.id());
            ps.setString(2, r.listener());
            ps.setString(3, r.approvalRef());
            ps.setString(4, RelaySpec.canonical(r));
            ps.setString(5, seal.seal(content(r)));
            ps.setTimestamp(6, ts(now));
            ps.executeUpdate();
        }
    }
}
