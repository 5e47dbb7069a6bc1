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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.gateway.policy.Jdbc;
import jp.sekisho.gateway.policy.PolicySeal;
import jp.sekisho.gateway.policy.SealedContent;

/**
 * Approvals and their decision history in PostgreSQL. Changes use optimistic locking on
 * {@code version}, so two secretariat members deciding at once cannot overwrite each other, and
 * notify every gateway node in the same transaction. Every row is written with its
 * {@link PolicySeal} (over its content and the number of decisions in its history) and checked
 * against it when read: a row changed outside the gateway comes back marked as tampered.
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
                    + "version, updated_at, seal, pending_conditions_text, pending_delete_after_delivery, "
                    + "pending_deletion_report_due";

    private static final String PLACEHOLDERS = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    /** The row and the number of decisions its history holds, read in one statement (one snapshot). */
    private static final String SELECT = "SELECT " + COLUMNS
            + ", (SELECT count(*) FROM approval_decision d WHERE d.ref = approval.ref) AS decisions FROM approval";

    private final DataSource ds;
    private final PolicySeal seal;

    public ApprovalRepository(DataSource ds, PolicySeal seal) {
        this.ds = ds;
        this.seal = seal;
    }

    /** Stores a new approval; returns false (changing nothing) when the reference number exists. */
    public boolean create(Approval a, Instant now) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO approval (" + COLUMNS + ") VALUES "
                    + PLACEHOLDERS + " ON CONFLICT (ref) DO NOTHING")) {
                bind(c, ps, a, now, decisions(c, a.ref()));
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
                bind(c, ps, next, now, decisions(c, next.ref()));
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
                    return rs.next() ? Optional.of(readChecked(rs)) : Optional.empty();
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
                    all.add(readChecked(rs));
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
                    unsealed.add(read(rs));
                    counts.add(rs.getLong("decisions"));
                }
            }
            for (int i = 0; i < unsealed.size(); i++) {
                Approval a = unsealed.get(i);
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE approval SET seal = ? WHERE ref = ? AND version = ? AND seal IS NULL")) {
                    ps.setString(1, seal.seal(content(a, counts.get(i))));
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

    /**
     * What the seal covers: every column but updated_at, and the number of decisions in the
     * history then (which the application role can only append to). A row whose pending decision
     * carries conditions is sealed as v2: v1's fields, then those conditions; every other row
     * stays v1, so rows sealed before v2 existed keep their seals (and clearing the pending
     * conditions outside the gateway changes the kind, so the seal fails).
     */
    static SealedContent content(Approval a, long decisions) {
        PendingDecision p = a.pending();
        Conditions pc = p == null ? null : p.conditions();
        SealedContent v1 = content(pc == null ? "sekisho/approval/v1" : "sekisho/approval/v2", a, decisions);
        if (pc == null) {
            return v1;
        }
        return v1.text(pc.text()).flag(pc.deleteAfterDelivery()).value(pc.deletionReportDue());
    }

    private static SealedContent content(String kind, Approval a, long decisions) {
        PendingDecision p = a.pending();
        Conditions cond = a.conditions();
        return SealedContent.of(kind)
                .text(a.ref())
                .text(a.title())
                .text(a.legalBasis())
                .texts(a.departments())
                .text(a.contractor())
                .texts(a.subcontractors())
                .texts(a.dataItems())
                .number(a.maxRecords())
                .value(a.validFrom())
                .value(a.validUntil())
                .text(cond.text())
                .flag(cond.deleteAfterDelivery())
                .value(cond.deletionReportDue())
                .text(a.meetingRef())
                .value(a.status())
                .value(a.beforeSuspension())
                .value(p == null ? null : p.decision())
                .text(p == null ? null : p.by().subject())
                .text(p == null ? null : p.by().sha256())
                .value(p == null ? null : micros(p.at()))
                .text(p == null ? null : p.reason())
                .number(a.version())
                .number(decisions);
    }

    /** timestamptz keeps microseconds: seal what the database will give back. */
    private static Instant micros(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
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

    private StoredApproval readChecked(ResultSet rs) throws SQLException {
        Approval a;
        try {
            a = read(rs);
        } catch (RuntimeException e) {
            // a value the gateway never writes (unknown status, missing column): not to be trusted either
            return new StoredApproval(unreadable(rs), "unreadable row: " + e.getMessage());
        }
        return new StoredApproval(a, seal.problem(rs.getString("seal"), content(a, rs.getLong("decisions"))));
    }

    /** Stands in for a row that does not parse: PENDING, so nothing can flow on it even if misused. */
    private static Approval unreadable(ResultSet rs) throws SQLException {
        java.time.LocalDate epoch = java.time.LocalDate.EPOCH;
        return new Approval(
                rs.getString("ref"),
                "",
                "",
                List.of(),
                "",
                List.of(),
                List.of(),
                0,
                epoch,
                epoch,
                Conditions.NONE,
                null,
                ApprovalStatus.PENDING,
                null,
                null,
                rs.getLong("version"));
    }

    public List<DecisionRecord> history(String ref) {
        return Jdbc.inTransaction(ds, c -> {
            List<DecisionRecord> all = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT ref, decision, by_subject, by_sha256, confirmed_by_subject, "
                            + "confirmed_by_sha256, at, reason, before_status, after_status, conditions_text, "
                            + "conditions_delete_after_delivery, conditions_deletion_report_due "
                            + "FROM approval_decision WHERE ref = ? ORDER BY id")) {
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
                                ApprovalStatus.valueOf(rs.getString("after_status")),
                                conditions(
                                        rs,
                                        "conditions_text",
                                        "conditions_delete_after_delivery",
                                        "conditions_deletion_report_due")));
                    }
                }
            }
            return all;
        });
    }

    private static void insertDecision(Connection c, DecisionRecord d) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO approval_decision (ref, decision, by_subject, by_sha256, "
                        + "confirmed_by_subject, confirmed_by_sha256, at, reason, before_status, after_status, "
                        + "conditions_text, conditions_delete_after_delivery, conditions_deletion_report_due) "
                        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
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
            Conditions dc = d.conditions();
            ps.setString(11, dc == null ? null : dc.text());
            ps.setObject(12, dc == null ? null : dc.deleteAfterDelivery(), java.sql.Types.BOOLEAN);
            ps.setDate(13, dc == null || dc.deletionReportDue() == null ? null : Date.valueOf(dc.deletionReportDue()));
            ps.executeUpdate();
        }
    }

    private void bind(Connection c, PreparedStatement ps, Approval a, Instant now, long decisions) throws SQLException {
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
        ps.setTimestamp(20, p == null ? null : ts(micros(p.at())));
        ps.setString(21, p == null ? null : p.reason());
        ps.setLong(22, a.version());
        ps.setTimestamp(23, ts(now));
        ps.setString(24, seal.seal(content(a, decisions)));
        Conditions pc = p == null ? null : p.conditions();
        ps.setString(25, pc == null ? null : pc.text());
        ps.setObject(26, pc == null ? null : pc.deleteAfterDelivery(), java.sql.Types.BOOLEAN);
        ps.setDate(27, pc == null || pc.deletionReportDue() == null ? null : Date.valueOf(pc.deletionReportDue()));
    }

    private static Approval read(ResultSet rs) throws SQLException {
        String pd = rs.getString("pending_decision");
        PendingDecision pending = pd == null
                ? null
                : new PendingDecision(
                        Decision.valueOf(pd),
                        new Actor(rs.getString("pending_by_subject"), rs.getString("pending_by_sha256")),
                        instant(rs, "pending_at"),
                        rs.getString("pending_reason"),
                        conditions(
                                rs,
                                "pending_conditions_text",
                                "pending_delete_after_delivery",
                                "pending_deletion_report_due"));
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

    /** Conditions kept in three columns; null when the text column is NULL (no conditions given). */
    private static Conditions conditions(ResultSet rs, String text, String flag, String due) throws SQLException {
        String t = rs.getString(text);
        if (t == null) {
            return null;
        }
        Date d = rs.getDate(due);
        return new Conditions(t, rs.getBoolean(flag), d == null ? null : d.toLocalDate());
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
