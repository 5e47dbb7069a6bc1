package jp.sekisho.audit.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The month partitions of {@code audit_event} as the catalogue shows them (names from audit_ensure_partition). */
final class Partitions {

    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMM");

    static final String ARCHIVED_SUFFIX = "_archived";

    private Partitions() {}

    /** {@code audit_event_202611}: the name V1's audit_ensure_partition gives the month. */
    static String table(YearMonth month) {
        return "audit_event_" + month.format(SUFFIX);
    }

    /** {@code audit_event_202611_archived}: the detached table, kept in the database. */
    static String archivedTable(YearMonth month) {
        return table(month) + ARCHIVED_SUFFIX;
    }

    /** The comment {@code audit archive} left on the detached table (its JSON), or null when there is no such table. */
    static String archivedNote(Connection c, YearMonth month) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(obj_description(to_regclass(?), 'pg_class'), '{}') WHERE to_regclass(?) IS NOT NULL")) {
            ps.setString(1, archivedTable(month));
            ps.setString(2, archivedTable(month));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Whether the month's partition is attached to audit_event. */
    static boolean attached(Connection c, YearMonth month) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(?)"
                + " AND inhparent = to_regclass('audit_event')")) {
            ps.setString(1, table(month));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Attached partitions of months before {@code month}: they must go first, or the live chain would have a hole. */
    static List<String> olderAttached(Connection c, YearMonth month) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT k.relname FROM pg_inherits i JOIN pg_class k ON k.oid ="
                + " i.inhrelid WHERE i.inhparent = to_regclass('audit_event') AND k.relname < ? ORDER BY k.relname")) {
            ps.setString(1, table(month));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
