package jp.sekisho.audit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.support.ExternalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code audit archive} and {@code audit verify --archive} on a PostgreSQL server: one node's chain runs through two
 * past months (written with a clock set back) into the live month; the months are archived oldest first, detached
 * and kept, and the archives verify with the live log as one chain.
 */
class ArchiveCommandTest {

    static ExternalPostgres pg;

    @TempDir
    static Path dir;

    static Path yaml;
    static YearMonth older;
    static YearMonth last;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void seed() throws Exception {
        pg = ExternalPostgres.create();
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        older = now.minusMonths(2);
        last = now.minusMonths(1);
        yaml = ArchiveSeed.seed(pg, dir, older, last);
    }

    @AfterAll
    static void drop() throws Exception {
        pg.close();
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run archive(YearMonth m, Path out) {
        return run("archive", "--config", yaml.toString(), "--month", m.toString(), "--out", out.toString());
    }

    @Test
    void currentAndFutureMonthsAreRefusedAndNothingIsDetached() throws Exception {
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        for (YearMonth m : List.of(now, now.plusMonths(1))) {
            Run r = archive(m, dir.resolve("never"));
            assertEquals(AuditCommand.FAILED, r.code(), r.toString());
            assertTrue(r.err().contains("current or a future month"), r.err());
            assertTrue(attached(Partitions.table(m)), "still attached: " + m);
        }
        assertFalse(Files.exists(dir.resolve("never").resolve(MonthArchiver.fileName(now))));
        Run bad = run("archive", "--config", yaml.toString(), "--month", "2026-13", "--out", dir.toString());
        assertEquals(AuditCommand.USAGE, bad.code(), bad.toString());
    }

    @Test
    void theApplicationRoleCannotDetach() throws Exception {
        String part = Partitions.table(YearMonth.now(ZoneOffset.UTC));
        try (Connection app = DriverManager.getConnection(pg.url(), ExternalPostgres.APP_ROLE, null);
                Statement s = app.createStatement()) {
            SQLException e = assertThrows(
                    SQLException.class, () -> s.execute("ALTER TABLE audit_event DETACH PARTITION " + part));
            assertEquals("42501", e.getSQLState(), e.getMessage()); // must be owner
        }
        assertTrue(attached(part));
    }

    @Test
    void monthsAreArchivedOldestFirstAndVerifyWithTheLiveLog() throws Exception {
        Path out = dir.resolve("archive");
        // a kill after writing and before detaching leaves files behind: the re-run replaces them and completes
        Files.createDirectories(out);
        Files.writeString(out.resolve(MonthArchiver.fileName(older)), "left by a killed run\n");
        Files.writeString(out.resolve("." + MonthArchiver.fileName(older) + ".part"), "{\"record\":\"hea");

        Run early = archive(last, out);
        assertEquals(AuditCommand.FAILED, early.code(), early.toString());
        assertTrue(early.err().contains(Partitions.table(older)), early.err());
        assertTrue(attached(Partitions.table(last)));

        Run first = archive(older, out);
        assertEquals(AuditCommand.OK, first.code(), first.toString());
        assertTrue(first.out().contains("archived " + older + ": 7 events"), first.out());
        Run second = archive(last, out);
        assertEquals(AuditCommand.OK, second.code(), second.toString());
        assertTrue(second.out().contains("archived " + last + ": 6 events"), second.out());

        for (YearMonth m : List.of(older, last)) {
            assertFalse(attached(Partitions.table(m)), m + " detached");
            assertEquals(-1, rows(Partitions.table(m)), "renamed, not left under its old name");
            assertEquals(m.equals(older) ? 7 : 6, rows(Partitions.archivedTable(m)), "kept, never dropped");
            Path file = out.resolve(MonthArchiver.fileName(m));
            String sum = Files.readString(out.resolve(MonthArchiver.fileName(m) + ".sha256"));
            assertEquals(ArchiveSet.sha256(file) + "  " + MonthArchiver.fileName(m) + "\n", sum);
            // offline, the archive alone
            Run alone = run(
                    "verify",
                    "--file",
                    file.toString(),
                    "--key",
                    out.resolve(MonthArchiver.PUBLIC_KEY).toString());
            assertEquals(AuditCommand.OK, alone.code(), alone.toString());
        }
        assertFalse(Files.exists(out.resolve("." + MonthArchiver.fileName(older) + ".part")));

        // each archive recorded once, with its month, rows, hashes, file digest and who
        List<String> details = archivedEvents();
        assertEquals(2, details.size(), details.toString());
        assertTrue(details.get(0).contains("\"month\":\"" + older + "\",\"rows\":7"), details.get(0));
        assertTrue(
                details.get(0)
                        .contains("\"sha256\":\"" + ArchiveSet.sha256(out.resolve(MonthArchiver.fileName(older)))),
                details.get(0));
        assertTrue(details.get(0).contains("\"last_seq\":7"), details.get(0));
        assertTrue(details.get(1).contains("\"first_seq\":8"), details.get(1));

        // the archives and the live log are one chain
        Run both = run("verify", "--config", yaml.toString(), "--archive", out.toString());
        assertEquals(AuditCommand.OK, both.code(), both.toString());
        Run liveOnly = run("verify", "--config", yaml.toString(), "--archived");
        assertEquals(AuditCommand.OK, liveOnly.code(), liveOnly.toString());

        // a month left out in the middle is a gap, not a pass
        Path onlyOlder = Files.createDirectories(dir.resolve("only-older"));
        Files.copy(out.resolve(MonthArchiver.fileName(older)), onlyOlder.resolve(MonthArchiver.fileName(older)));
        Run gap = run("verify", "--config", yaml.toString(), "--archive", onlyOlder.toString());
        assertEquals(AuditCommand.FAILED, gap.code(), gap.toString());
        assertTrue(gap.out().contains("DELETED"), gap.out());

        // a search or export over an archived month says where it went, not silently nothing
        Run search = run(
                "search", "--config", yaml.toString(), "--from", older.atDay(1).toString());
        assertEquals(AuditCommand.OK, search.code(), search.toString());
        assertTrue(search.err().contains("note: " + older + " was archived on "), search.err());
        assertTrue(search.err().contains("see " + out.toAbsolutePath().normalize()), search.err());
        Run recent = run("search", "--config", yaml.toString(), "--since", "1h");
        assertFalse(recent.err().contains("was archived"), recent.err());

        // the kept table stays append-only
        try (Connection c = pg.superuser();
                Statement s = c.createStatement()) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> s.executeUpdate("UPDATE " + Partitions.archivedTable(older) + " SET reason = 'X'"));
            assertTrue(e.getMessage().contains("append-only"), e.getMessage());
        }

        // a re-run says when and where, and changes nothing
        Run again = archive(older, dir.resolve("elsewhere"));
        assertEquals(AuditCommand.OK, again.code(), again.toString());
        assertTrue(again.out().contains("already archived at"), again.out());
        assertTrue(again.out().contains(out.toAbsolutePath().normalize().toString()), again.out());
        assertFalse(Files.exists(dir.resolve("elsewhere")));
        assertEquals(2, archivedEvents().size());

        // one changed line of an archive: verify fails and names that line
        Path tampered = Files.createDirectories(dir.resolve("tampered"));
        List<String> lines =
                new ArrayList<>(Files.readAllLines(out.resolve(MonthArchiver.fileName(last)), StandardCharsets.UTF_8));
        int target = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"seq\":10,")) {
                target = i;
            }
        }
        assertTrue(target > 0);
        lines.set(target, lines.get(target).replace("198.51.100.9", "198.51.100.99"));
        Files.write(tampered.resolve(MonthArchiver.fileName(last)), lines, StandardCharsets.UTF_8);
        Files.copy(out.resolve(MonthArchiver.fileName(older)), tampered.resolve(MonthArchiver.fileName(older)));
        Run broken = run("verify", "--config", yaml.toString(), "--archive", tampered.toString());
        assertEquals(AuditCommand.FAILED, broken.code(), broken.toString());
        assertTrue(broken.out().contains("MODIFIED at arch-gw#10"), broken.out());
        assertTrue(broken.out().contains(MonthArchiver.fileName(last) + " line " + (target + 1) + ":"), broken.out());
        Run brokenAlone = run(
                "verify",
                "--file",
                tampered.resolve(MonthArchiver.fileName(last)).toString(),
                "--key",
                out.resolve(MonthArchiver.PUBLIC_KEY).toString());
        assertEquals(AuditCommand.FAILED, brokenAlone.code(), brokenAlone.toString());
        assertTrue(brokenAlone.out().contains(" line " + (target + 1) + ":"), brokenAlone.out());
    }

    static boolean attached(String table) throws SQLException {
        try (Connection c = pg.superuser();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT 1 FROM pg_inherits WHERE inhparent = 'audit_event'::regclass"
                                + " AND inhrelid = to_regclass('" + table + "')")) {
            return rs.next();
        }
    }

    /** Rows in the table, -1 when it does not exist. */
    static long rows(String table) throws SQLException {
        try (Connection c = pg.superuser();
                ResultSet exists =
                        c.createStatement().executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            exists.next();
            if (!exists.getBoolean(1)) {
                return -1;
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static List<String> archivedEvents() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.superuser();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT detail, principal_subject FROM audit_event"
                                + " WHERE event_type = 'AUDIT_ARCHIVED' ORDER BY seq")) {
            while (rs.next()) {
                assertTrue(rs.getString(2).startsWith("local-cli:"), rs.getString(2));
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
