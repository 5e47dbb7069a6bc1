package jp.sekisho.audit.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An archive stopped after writing (before the detach), and one stopped after the detach (before its audit record):
 * each re-run completes the archive, with exactly one AUDIT_ARCHIVED in the end and the chain whole.
 */
class ArchiveCrashTest {

    static final AuditPrincipal WHO = new AuditPrincipal("local-cli:crash-test", null, null);

    @TempDir
    Path dir;

    @Test
    void aRunStoppedBetweenItsStepsIsCompletedByTheReRun() throws Exception {
        YearMonth older = YearMonth.now(ZoneOffset.UTC).minusMonths(2);
        YearMonth last = older.plusMonths(1);
        try (ExternalPostgres pg = ExternalPostgres.create()) {
            Path yaml = ArchiveSeed.seed(pg, dir, older, last);
            Path out = dir.resolve("archive");
            try (AuditStore store = AuditStore.open(AuditConfig.fromGatewayYaml(yaml))) {
                MonthArchiver killedAfterWrite = new MonthArchiver(store, Clock.systemUTC());
                killedAfterWrite.afterStep = stopAt(MonthArchiver.Step.WRITTEN);
                assertThrows(Stopped.class, () -> killedAfterWrite.archive(older, out, WHO));
                assertTrue(Files.exists(out.resolve(MonthArchiver.fileName(older))), "written");
                assertTrue(attached(pg, Partitions.table(older)), "not detached");
                assertEquals(List.of(), archivedEvents(pg));

                MonthArchiver killedAfterDetach = new MonthArchiver(store, Clock.systemUTC());
                killedAfterDetach.afterStep = stopAt(MonthArchiver.Step.DETACHED);
                assertThrows(Stopped.class, () -> killedAfterDetach.archive(older, out, WHO));
                assertFalse(attached(pg, Partitions.table(older)), "detached");
                assertEquals(List.of(), archivedEvents(pg), "stopped before its record");

                ArchiveOutcome rerun = new MonthArchiver(store, Clock.systemUTC()).archive(older, out, WHO);
                ArchiveOutcome.AlreadyArchived done = assertInstanceOf(ArchiveOutcome.AlreadyArchived.class, rerun);
                assertTrue(done.auditedNow(), "the re-run records the missing AUDIT_ARCHIVED");
                assertEquals(out.toAbsolutePath().normalize().toString(), done.out());
                List<String> events = archivedEvents(pg);
                assertEquals(1, events.size(), events.toString());
                assertTrue(events.get(0).contains("\"month\":\"" + older + "\",\"rows\":7"), events.get(0));
                assertTrue(events.get(0).contains("\"recorded_on_rerun\":true"), events.get(0));

                ArchiveOutcome again = new MonthArchiver(store, Clock.systemUTC()).archive(older, out, WHO);
                assertFalse(((ArchiveOutcome.AlreadyArchived) again).auditedNow());
                assertEquals(1, archivedEvents(pg).size());

                ArchiveSet set = ArchiveSet.of(List.of(out));
                jp.sekisho.audit.keys.KeySet keys =
                        jp.sekisho.audit.keys.KeySet.of(store.signingKey().publicKey(), "test");
                assertEquals(null, set.checkEach(keys));
                VerifyResult whole = store.reader().verifyContinuing(keys, WHO, set.events(), set.checkpoints());
                assertTrue(whole.ok(), whole.toString());
            }
        }
    }

    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message);
        }
    }

    static java.util.function.Consumer<MonthArchiver.Step> stopAt(MonthArchiver.Step where) {
        return step -> {
            if (step == where) {
                throw new Stopped("stopped after " + step);
            }
        };
    }

    static boolean attached(ExternalPostgres pg, String table) throws Exception {
        try (Connection c = pg.superuser();
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT 1 FROM pg_inherits WHERE inhparent = 'audit_event'::regclass"
                                + " AND inhrelid = to_regclass('" + table + "')")) {
            return rs.next();
        }
    }

    static List<String> archivedEvents(ExternalPostgres pg) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.superuser();
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "SELECT detail FROM audit_event WHERE event_type = 'AUDIT_ARCHIVED' ORDER BY seq")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
