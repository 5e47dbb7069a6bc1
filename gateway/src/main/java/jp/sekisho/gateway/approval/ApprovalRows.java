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
import java.util.List;
import jp.sekisho.gateway.policy.PolicySeal;
import jp.sekisho.gateway.policy.SealedContent;

/**
 * How an approval and its decisions map to their rows and back, and what the row's
 * {@link PolicySeal} covers. {@link ApprovalRepository} decides which rows to read and write and in
 * which transaction; this class decides only what a row holds, so the columns, their binding and
 * the sealed content stay side by side and cannot drift apart.
 */
final class ApprovalRows {

    /** The approval's columns, in the order {@link #bind} sets them. */
    static final String COLUMNS = "ref, title, legal_basis, departments, contractor, subcontractors, data_items, "
            + "max_records, valid_from, valid_until, conditions_text, delete_after_delivery, deletion_report_due, meeting_ref, "
            + "status, before_suspension, pending_decision, pending_by_subject, pending_by_sha256, pending_at, pending_reason, "
            + "version, updated_at, seal, pending_conditions_text, pending_delete_after_delivery, "
            + "pending_deletion_report_due";

    /** One placeholder per {@link #COLUMNS} entry; the statement's own parameters follow from 28 on. */
    static final String PLACEHOLDERS = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    /** A decision's columns, in the order {@link #bindDecision} sets them and {@link #decision} reads them. */
    static final String DECISION_COLUMNS = "ref, decision, by_subject, by_sha256, confirmed_by_subject, "
            + "confirmed_by_sha256, at, reason, before_status, after_status, conditions_text, "
            + "conditions_delete_after_delivery, conditions_deletion_report_due";

    /** One placeholder per {@link #DECISION_COLUMNS} entry. */
    static final String DECISION_PLACEHOLDERS = "(?,?,?,?,?,?,?,?,?,?,?,?,?)";

    private final PolicySeal seal;

    ApprovalRows(PolicySeal seal) {
        this.seal = seal;
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

    /** The seal of {@code a} with {@code decisions} in its history, for the seal column. */
    String sealOf(Approval a, long decisions) {
        return seal.seal(content(a, decisions));
    }

    /** timestamptz keeps microseconds: seal what the database will give back. */
    private static Instant micros(Instant i) {
        return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
    }

    /** The row at {@code rs} (with its {@code decisions} count) and the result of its seal check. */
    StoredApproval readChecked(ResultSet rs) throws SQLException {
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

    /** Sets parameters 1 to 27 ({@link #COLUMNS}) from {@code a}, sealed with {@code decisions} in its history. */
    void bind(Connection c, PreparedStatement ps, Approval a, Instant now, long decisions) throws SQLException {
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
        ps.setString(24, sealOf(a, decisions));
        Conditions pc = p == null ? null : p.conditions();
        ps.setString(25, pc == null ? null : pc.text());
        ps.setObject(26, pc == null ? null : pc.deleteAfterDelivery(), java.sql.Types.BOOLEAN);
        ps.setDate(27, pc == null || pc.deletionReportDue() == null ? null : Date.valueOf(pc.deletionReportDue()));
    }

    /** The approval at {@code rs}, unchecked; throws on a value the gateway never writes. */
    static Approval read(ResultSet rs) throws SQLException {
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

    /** Sets parameters 1 to 13 ({@link #DECISION_COLUMNS}) from {@code d}. */
    static void bindDecision(PreparedStatement ps, DecisionRecord d) throws SQLException {
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
    }

    /** The decision at {@code rs} (a row of {@link #DECISION_COLUMNS}). */
    static DecisionRecord decision(ResultSet rs) throws SQLException {
        String cs = rs.getString("confirmed_by_sha256");
        return new DecisionRecord(
                rs.getString("ref"),
                Decision.valueOf(rs.getString("decision")),
                new Actor(rs.getString("by_subject"), rs.getString("by_sha256")),
                cs == null ? null : new Actor(rs.getString("confirmed_by_subject"), cs),
                instant(rs, "at"),
                rs.getString("reason"),
                ApprovalStatus.valueOf(rs.getString("before_status")),
                ApprovalStatus.valueOf(rs.getString("after_status")),
                conditions(
                        rs, "conditions_text", "conditions_delete_after_delivery", "conditions_deletion_report_due"));
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
}
