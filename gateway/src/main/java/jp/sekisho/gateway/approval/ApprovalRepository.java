package jp.sekisho.gateway.approval;

import static jp.sekisho.gateway.policy.Jdbc.instant;
import static jp.sekisho.gateway.policy.Jdbc.textArray;
import static jp.sekisho.gateway.policy.Jdbc.texts;
import static jp.sekisho.gateway.policy.Jdbc.ts;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;

/**
 * Approvals and their decision history in PostgreSQL. Changes use optimistic locking on
 * {@code version}, so two secretariat members deciding at once cannot overwrite each other, and
 * notify every gateway node in the same transaction.
 */
public final class ApprovalRepository {

    /** The approval changed since it was read; the caller reads again and retries or reports. */
    public static final class ConcurrentChange extends RuntimeException {
        ConcurrentChange(String ref) {
            super(ref + " was changed by someone else meanwhile; read it again");
        }
    }

    private static final String COLUMNS =
            "ref, title, legal_basis, departments, contractor, subcontractors, data_items, "
                    + "max_records, valid_from, valid_until, conditions_text, delete_after_delivery, deletion_report_due, meeting_ref, "
                    + "status, before_suspension, pending_decision, pending_by_subject, pending_by_sha256, pending_at, pending_reason, "
                    + "version, updated_at";

    private final DataSource ds;

    public ApprovalRepository(DataSource ds) {
        this.ds = ds;
    }

    /** Stores a new approval; returns false (changing nothing) when the reference number exists. */
    public boolean create(Approval a, Instant now) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval (" + COLUMNS + ") VALUES "
                    + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (ref) DO NOTHING")) {
                bind(c, ps, a, now);
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
            try (PreparedStatement ps = c.prepareStatement("UPDATE approval SET (" + COLUMNS + ") = "
                    + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE ref = ? AND version = ?")) {
                bind(c, ps, next, now);
                ps.setString(24, next.ref());
                ps.setLong(25, next.version() - 1);
                if (ps.executeUpdate() == 0) {
                    throw new ConcurrentChange(next.ref());
                }
            }
            if (decision != null) {
                insertDecision(c, decision);
            }
            Jdbc.notifyPolicyChanged(c, "approval:" + next.ref());
            return null;
        });
    }

    public Optional<Approval> find(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM approval WHERE ref = ?")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Approval> list() {
        return Jdbc.inTransaction(ds, c -> {
            List<Approval> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM approval ORDER BY ref");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
            return all;
        });
    }

    public List<DecisionRecord> history(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            List<DecisionRecord> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT ref, decision, by_subject, by_sha256, confirmed_by_subject, "
                            + "confirmed_by_sha256, at, reason, before_status, after_status FROM approval_decision WHERE ref = ? ORDER BY id")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String cs = rs.getString("confirmed_by_sha256");
                        all.add(new DecisionRecord(
                                rs.getString("ref"),
                                Decision.valueOf(rs.getString("decision")),
                                new Actor(rs.getString("by_subject"), rs.getString("by_sha256")),
                                cs == null ? null : new Actor(rs.getString("confirmed_by_subject"), cs),
                                instant(rs, "at"),
                                rs.getString("reason"),
                                ApprovalStatus.valueOf(rs.getString("before_status")),
                                ApprovalStatus.valueOf(rs.getString("after_status"))));
                    }
                }
            }
            return all;
        });
    }

    private static void insertDecision(Connection c, DecisionRecord d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO approval_decision (ref, decision, by_subject, by_sha256, "
                        + "confirmed_by_subject, confirmed_by_sha256, at, reason, before_status, after_status) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, d.ref());
            ps.setString(2, d.decision().name());
            ps.setString(3, d.by().subject());
            ps.setString(4, d.by().sha256());
            ps.setString(5, d.confirmedBy() == null ? null : d.confirmedBy().subject());
            ps.setString(6, d.confirmedBy() == null ? null : d.confirmedBy().sha256());
            ps.setTimestamp(7, ts(d.at()));
            ps.setString(8, d.reason());
            ps.setString(9, d.before().name());
            ps.setString(10, d.after().name());
            ps.executeUpdate();
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Approval a, Instant now) throws SQLException {
        PendingDecision p = a.pending();
        ps.setString(1, a.ref());
        ps.setString(2, a.title());
        ps.setString(3, a.legalBasis());
        ps.setArray(4, textArray(c, a.departments()));
        ps.setString(5, a.contractor());
        ps.setArray(6, textArray(c, a.subcontractors()));
        ps.setArray(7, textArray(c, a.dataItems()));
        ps.setLong(8, a.maxRecords());
        ps.setDate(9, Date.valueOf(a.validFrom()));
        ps.setDate(10, Date.valueOf(a.validUntil()));
        ps.setString(11, a.conditions().text());
        ps.setBoolean(12, a.conditions().deleteAfterDelivery());
        ps.setDate(
                13,
                a.conditions().deletionReportDue() == null
                        ? null
                        : Date.valueOf(a.conditions().deletionReportDue()));
        ps.setString(14, a.meetingRef());
        ps.setString(15, a.status().name());
        ps.setString(
                16, a.beforeSuspension() == null ? null : a.beforeSuspension().name());
        ps.setString(17, p == null ? null : p.decision().name());
        ps.setString(18, p == null ? null : p.by().subject());
        ps.setString(19, p == null ? null : p.by().sha256());
        ps.setTimestamp(20, p == null ? null : ts(p.at()));
        ps.setString(21, p == null ? null : p.reason());
        ps.setLong(22, a.version());
        ps.setTimestamp(23, ts(now));
    }

    private static Approval read(ResultSet rs) throws SQLException {
        String pd = rs.getString("pending_decision");
        PendingDecision pending = pd == null
                ? null
                : new PendingDecision(
                        Decision.valueOf(pd),
                        new Actor(rs.getString("pending_by_subject"), rs.getString("pending_by_sha256")),
                        instant(rs, "pending_at"),
                        rs.getString("pending_reason"));
        Date due = rs.getDate("deletion_report_due");
        String before = rs.getString("before_suspension");
        return new Approval(
                rs.getString("ref"),
                rs.getString("title"),
                rs.getString("legal_basis"),
                texts(rs, "departments"),
                rs.getString("contractor"),
                texts(rs, "subcontractors"),
                texts(rs, "data_items"),
                rs.getLong("max_records"),
                rs.getDate("valid_from").toLocalDate(),
                rs.getDate("valid_until").toLocalDate(),
                new Conditions(
                        rs.getString("conditions_text"),
                        rs.getBoolean("delete_after_delivery"),
                        due == null ? null : due.toLocalDate()),
                rs.getString("meeting_ref"),
                ApprovalStatus.valueOf(rs.getString("status")),
                before == null ? null : ApprovalStatus.valueOf(before),
                pending,
                rs.getLong("version"));
    }
}
