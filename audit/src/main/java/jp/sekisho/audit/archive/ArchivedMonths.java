package jp.sekisho.audit.archive;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import jp.sekisho.audit.json.Json;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;

/**
 * The months {@code audit archive} detached, read from the catalogue (any role may read it): so that a search or
 * export over such a month says where it went instead of returning nothing silently.
 */
public final class ArchivedMonths {

    private ArchivedMonths() {}

    /** One line per archived month overlapping [{@code from}, {@code to}) (null: open), for stderr. */
    public static List<String> notices(DataSource ds, Instant from, Instant to) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT relname, obj_description(oid, 'pg_class') FROM pg_class"
                        + " WHERE relname ~ '^audit_event_[0-9]{6}_archived$' AND relnamespace = current_schema()::regnamespace"
                        + " ORDER BY relname")) {
            while (rs.next()) {
                String name = rs.getString(1);
                YearMonth m = YearMonth.of(
                        Integer.parseInt(name.substring(12, 16)), Integer.parseInt(name.substring(16, 18)));
                Instant start = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                Instant end = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                if ((to != null && !start.isBefore(to)) || (from != null && !end.isAfter(from))) {
                    continue;
                }
                Map<String, Object> note = rs.getString(2) == null ? Map.of() : Json.parseObject(rs.getString(2));
                String at = note.get("archived_at") instanceof String a ? JapaneseDates.timeJst(Instant.parse(a)) : "?";
                String dir = note.get("out") instanceof String o ? Printable.of(o) : "?";
                out.add("注意: " + m + " はアーカイブ済みで、ここには含まれません / note: " + m + " was archived on " + at + ", see " + dir
                        + " (not in these results)");
            }
        } catch (SQLException | RuntimeException e) {
            // only a hint: the search itself has answered
            out.add("note: could not list archived months: " + e.getMessage());
        }
        return out;
    }
}
