package jp.sekisho.gateway.approval;

import static jp.sekisho.gateway.approval.ApprovalRows.COLUMNS;
import static jp.sekisho.gateway.approval.ApprovalRows.DECISION_COLUMNS;
import static jp.sekisho.gateway.approval.ApprovalRows.DECISION_PLACEHOLDERS;
import static jp.sekisho.gateway.approval.ApprovalRows.PLACEHOLDERS;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;
import jp.sekisho.gateway.policy.PolicySeal;

/**
 * Approvals and their decision history in PostgreSQL. Changes use optimistic locking on
 * {@code version}, so two secretariat members deciding at once cannot overwrite each other, and
 * notify every gateway node in the same transaction. Every row is written with its
 * {@link PolicySeal} (over its content and the number of decisions in its history) and checked
 * against it when read: a row changed outside the gateway comes back marked as tampered. What a
 * row holds and what its seal covers is {@link ApprovalRows}'; this class chooses the statements
 * and their transactions.
 */
public final class ApprovalRepository {

    /** The approval changed since it was read; the caller reads again and retries or reports. */
    public static final class ConcurrentChange extends RuntimeException {
        ConcurrentChange(String ref) {
            super(ref + " was changed by someone else meanwhile; read it again");
        }
    }

    /** The row and the number of decisions its history holds, read in one statement (one snapshot). */
    private static final String SELECT = "SELECT " + COLUMNS
            + ", (SELECT count(*) FROM approval_decision d WHERE d.ref = approval.ref) AS decisions FROM approval";

    private final DataSource ds;
    private final ApprovalRows rows;

    public ApprovalRepository(DataSource ds, PolicySeal seal) {
        this.ds = ds;
        this.rows = new ApprovalRows(seal);
    }

    /** Stores a new approval; returns false (changing nothing) when the reference number exists. */
    public boolean create(Approval a, Instant now) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval (" + COLUMNS + ") VALUES "
                    + PLACEHOLDERS + " ON CONFLICT (ref) DO NOTHING")) {
                rows.bind(c, ps, a, now, decisions(c, a.ref()));
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            Jdbc.notifyPolicyChanged(c, "approval:" + a.ref());
            return true;
        });
    }

    /**
     * Replaces the stored approval whose version is {@code next.version() - 1} and appends the
     * decision to the history, in one transaction.
     */
    public void save(Approval next, DecisionRecord decision, Instant now) {
        Jdbc.inTransaction(ds, c -> {
            // the decision first, so the seal counts it; a concurrent save on the same row fails on
            // its version below and rolls its decision back with it
            if (decision != null) {
                insertDecision(c, decision);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE approval SET (" + COLUMNS + ") = " + PLACEHOLDERS + " WHERE ref = ? AND version = ?")) {
                rows.bind(c, ps, next, now, decisions(c, next.ref()));
                ps.setString(28, next.ref());
                ps.setLong(29, next.version() - 1);
                if (ps.executeUpdate() == 0) {
                    throw new ConcurrentChange(next.ref());
                }
            }
            Jdbc.notifyPolicyChanged(c, "approval:" + next.ref());
            return null;
        });
    }

    /** The approval with its seal checked. */
    public Optional<StoredApproval> load(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE ref = ?")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rows.readChecked(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Every approval with its seal checked, by reference number. */
    public List<StoredApproval> loadAll() {
        return Jdbc.inTransaction(ds, c -> {
            List<StoredApproval> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY ref");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(rows.readChecked(rs));
                }
            }
            return all;
        });
    }

    /** The approval as stored, tampered or not (use {@link #load} for anything that decides). */
    public Optional<Approval> find(String ref) {
        return load(ref).map(StoredApproval::approval);
    }

    /** Every approval as stored, tampered or not (use {@link #loadAll} for anything that decides). */
    public List<Approval> list() {
        return loadAll().stream().map(StoredApproval::approval).toList();
    }

    /**
     * Seals the rows a version before sealing left unsealed; called once, by the start that
     * created the seal key. Returns the references sealed.
     */
    public List<String> sealUnsealed(Instant now) {
        return Jdbc.inTransaction(ds, c -> {
            List<String> sealed = new ArrayList<>();
            List<Approval> unsealed = new ArrayList<>();
            List<Long> counts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE seal IS NULL ORDER BY ref FOR UPDATE");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unsealed.add(ApprovalRows.read(rs));
                    counts.add(rs.getLong("decisions"));
                }
            }
            for (int i = 0; i < unsealed.size(); i++) {
                Approval a = unsealed.get(i);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE approval SET seal = ? WHERE ref = ? AND version = ? AND seal IS NULL")) {
                    ps.setString(1, rows.sealOf(a, counts.get(i)));
                    ps.setString(2, a.ref());
                    ps.setLong(3, a.version());
                    if (ps.executeUpdate() == 1) {
                        sealed.add(a.ref());
                    }
                }
            }
            if (!sealed.isEmpty()) {
                Jdbc.notifyPolicyChanged(c, "approval:sealed");
            }
            return sealed;
        });
    }

    private static long decisions(Connection c, String ref) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM approval_decision WHERE ref = ?")) {
            ps.setString(1, ref);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public List<DecisionRecord> history(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            List<DecisionRecord> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + DECISION_COLUMNS + " FROM approval_decision WHERE ref = ? ORDER BY id")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.add(ApprovalRows.decision(rs));
                    }
                }
            }
            return all;
        });
    }

    private static void insertDecision(Connection c, DecisionRecord d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO approval_decision (" + DECISION_COLUMNS + ") VALUES " + DECISION_PLACEHOLDERS)) {
            ApprovalRows.bindDecision(ps, d);
            ps.executeUpdate();
        }
    }

    /** Every stored reference number, as stored (for matching one stored before normalisation). */
    public List<String> refs() {
        return Jdbc.inTransaction(ds, c -> {
            List<String> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT ref FROM approval ORDER BY ref");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(rs.getString(1));
                }
            }
            return all;
        });
    }

    /**
     * What passed under an approval so far: the transfers the gateway accepted (stored: the whole
     * envelope arrived and passed its checks, whatever happened after) and the records they declared.
     */
    public ApprovalUsage usage(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement(USAGE + " WHERE approval_ref = ? AND stored_at IS NOT NULL")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new ApprovalUsage(rs.getLong("transfers"), rs.getLong("records"));
                }
            }
        });
    }

    /** {@link #usage} for every approval that has any, in one query (for lists). */
    public Map<String, ApprovalUsage> usageByRef() {
        return Jdbc.inTransaction(ds, c -> {
            Map<String, ApprovalUsage> all = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT approval_ref, count(*) AS transfers, coalesce(sum(records), 0) AS records "
                                    + "FROM transfer WHERE stored_at IS NOT NULL GROUP BY approval_ref");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.put(
                            rs.getString("approval_ref"),
                            new ApprovalUsage(rs.getLong("transfers"), rs.getLong("records")));
                }
            }
            return all;
        });
    }

    private static final String USAGE =
            "SELECT count(*) AS transfers, coalesce(sum(records), 0) AS records FROM transfer";
}
