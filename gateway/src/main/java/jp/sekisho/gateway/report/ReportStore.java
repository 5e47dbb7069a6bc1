package jp.sekisho.gateway.report;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.db.Database;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.report.TransferFigures.Count;
import jp.sekisho.gateway.report.TransferFigures.Month;

/**
 * The report's SQL. Every figure is an aggregate computed by PostgreSQL over one approval's events in the
 * period, read through {@code audit_event_approval_time_idx} (approval_ref, time, ...): the gateway holds
 * a few rows per approval whatever the log's size, never the events themselves. Deletion reports are read
 * through {@code deletion_report_approval}, checkpoints through their primary key.
 */
final class ReportStore {

    /**
     * The one place the records a transfer declared are read from: TRANSFER_STORED's detail, where the gateway
     * writes them as a string of digits (a number is read the same way); anything else counts none.
     */
    private static final String RECORDS = "CASE WHEN jsonb_typeof(detail::jsonb) = 'object'"
            + " AND (detail::jsonb ->> 'records') ~ '^[0-9]{1,18}$' THEN (detail::jsonb ->> 'records')::bigint ELSE 0 END";

    private static final String IN_PERIOD = " FROM audit_event WHERE approval_ref = ? AND time >= ? AND time < ?";

    private final DataSource ds;

    ReportStore(DataSource ds) {
        this.ds = ds;
    }

    TransferFigures transfers(String ref, ReportPeriod p) {
        return read(c -> {
            long transfers = 0;
            long bytes = 0;
            long records = 0;
            List<Count> byEvent = new ArrayList<>();
            try (PreparedStatement ps = period(
                    c,
                    "SELECT event_type, count(*), coalesce(sum(byte_count), 0), coalesce(sum(" + RECORDS + "), 0)"
                            + IN_PERIOD + " AND event_type LIKE 'TRANSFER\\_%' AND outcome = 'ALLOW'"
                            + " GROUP BY event_type ORDER BY event_type",
                    ref,
                    p)) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byEvent.add(new Count(rs.getString(1), rs.getLong(2)));
                        if ("TRANSFER_STORED".equals(rs.getString(1))) {
                            transfers = rs.getLong(2);
                            bytes = rs.getLong(3);
                            records = rs.getLong(4);
                        }
                    }
                }
            }
            List<Month> months = new ArrayList<>();
            try (PreparedStatement ps = period(
                    c,
                    "SELECT to_char(time AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM') AS m, count(*),"
                            + " coalesce(sum(byte_count), 0), coalesce(sum(" + RECORDS + "), 0)"
                            + IN_PERIOD + " AND event_type = 'TRANSFER_STORED' AND outcome = 'ALLOW'"
                            + " GROUP BY m ORDER BY m",
                    ref,
                    p)) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        months.add(new Month(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
            return new TransferFigures(transfers, bytes, records, months, byEvent);
        });
    }

    Refusals refusals(String ref, ReportPeriod p) {
        return read(c -> {
            List<Count> byReason = new ArrayList<>();
            long total = 0;
            try (PreparedStatement ps = period(
                    c,
                    "SELECT coalesce(reason, '-'), count(*) AS n" + IN_PERIOD + " AND outcome = 'DENY'"
                            + " GROUP BY 1 ORDER BY n DESC, 1 LIMIT " + Refusals.MAX_REASONS,
                    ref,
                    p)) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byReason.add(new Count(rs.getString(1), rs.getLong(2)));
                    }
                }
            }
            try (PreparedStatement ps = period(c, "SELECT count(*)" + IN_PERIOD + " AND outcome = 'DENY'", ref, p)) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            List<Count> bySource = new ArrayList<>();
            long named = 0;
            try (PreparedStatement ps = period(
                    c,
                    "SELECT coalesce(source_ip, '-'), count(*) AS n" + IN_PERIOD + " AND outcome = 'DENY'"
                            + " GROUP BY 1 ORDER BY n DESC, 1 LIMIT " + Refusals.TOP_SOURCES,
                    ref,
                    p)) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        bySource.add(new Count(rs.getString(1), rs.getLong(2)));
                        named += rs.getLong(2);
                    }
                }
            }
            return new Refusals(total, byReason, bySource, total - named);
        });
    }

    /** The deletion report status on {@code today}: the newest accepted report, else the due date against today. */
    DeletionStatus deletion(String ref, LocalDate due, Clock clock) {
        Optional<DeletionStatus.Submitted> submitted = read(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT submitted_at, signer_subject, responsible, transfer_count, deleted_until"
                            + " FROM deletion_report WHERE approval_ref = ? ORDER BY submitted_at DESC LIMIT 1")) {
                ps.setString(1, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new DeletionStatus.Submitted(
                            rs.getTimestamp(1).toInstant(),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getInt(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
        });
        if (submitted.isPresent()) {
            return submitted.get();
        }
        if (due == null) {
            return new DeletionStatus.NotDue();
        }
        return JapaneseDates.today(clock).isAfter(due)
                ? new DeletionStatus.Overdue(due)
                : new DeletionStatus.DueBy(due);
    }

    /** Per node: the newest checkpoint before the period and the first at or after its end (else the newest). */
    List<ChainCheck.Bound> bounds(ReportPeriod p) {
        return read(c -> {
            List<String> nodes = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT DISTINCT node_id FROM audit_checkpoint ORDER BY node_id LIMIT 1000")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        nodes.add(rs.getString(1));
                    }
                }
            }
            List<ChainCheck.Bound> out = new ArrayList<>();
            for (String node : nodes) {
                one(c, node, "time < ? ORDER BY seq DESC", p.start(), "BEFORE").ifPresent(out::add);
                Optional<ChainCheck.Bound> after = one(c, node, "time >= ? ORDER BY seq", p.end(), "AFTER");
                if (after.isPresent()) {
                    out.add(after.get());
                } else {
                    one(c, node, "time >= ? ORDER BY seq DESC", p.start(), "LATEST")
                            .ifPresent(out::add);
                }
            }
            return out;
        });
    }

    private static Optional<ChainCheck.Bound> one(
            Connection c, String node, String where, java.time.Instant at, String side) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, time, hash FROM audit_checkpoint WHERE node_id = ? AND " + where + " LIMIT 1")) {
            ps.setString(1, node);
            ps.setTimestamp(2, Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new ChainCheck.Bound(
                                node, rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), side))
                        : Optional.empty();
            }
        }
    }

    private static PreparedStatement period(Connection c, String sql, String ref, ReportPeriod p) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setString(1, ref);
        ps.setTimestamp(2, Timestamp.from(p.start()));
        ps.setTimestamp(3, Timestamp.from(p.end()));
        return ps;
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            return work.run(c);
        } catch (SQLException e) {
            throw new AuditUnavailableException("report read failed: " + Database.oneLine(e), e);
        }
    }
}
