package jp.sekisho.audit.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.cli.AuditCommand;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An export is one snapshot and says how it ended: an end record when complete, an error record
 * when the store failed mid-stream; a file without either (or with a torn last line) is TRUNCATED
 * for {@code audit verify}, exit 4, never taken for tampering. Exports from before the end record
 * still verify.
 */
class ExportEndTest {

    static final AuditPrincipal AUDITOR = new AuditPrincipal("CN=export-end-test", null, null);

    static ExternalPostgres pg;

    @TempDir
    static Path dir;

    static AuditStore store;
    static Path pub;

    @BeforeAll
    static void seed() throws Exception {
        pg = ExternalPostgres.create();
        store = pg.openStore(dir, "end-gw", 10);
        for (int i = 0; i < 50; i++) {
            store.log().commit(TestEvents.allowed(i));
        }
        pub = dir.resolve("data/audit-signing.pub.pem");
    }

    @AfterAll
    static void drop() throws Exception {
        store.close();
        pg.close();
    }

    private static List<String> export(AuditQuery q) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.reader().export(q, AUDITOR, ExportFormat.JSONL, out);
        return new ArrayList<>(List.of(out.toString(StandardCharsets.UTF_8).split("\n")));
    }

    private static long events(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("{\"record\":\"event\"")).count();
    }

    @Test
    void eventsWrittenWhileAnExportStreamsAreNotInItAndItVerifies() throws Exception {
        ExportSnapshot snapshot = store.reader().openExport(AuditQuery.all(), AUDITOR, ExportFormat.JSONL);
        long committedAfter;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (snapshot) {
            for (int i = 0; i < 25; i++) {
                store.log().commit(TestEvents.allowed(1000 + i)); // after the snapshot, before the rows are read
            }
            committedAfter = 25;
            snapshot.writeTo(out);
        }
        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        String end = lines.get(lines.size() - 1);
        assertTrue(end.startsWith("{\"record\":\"end\",\"events\":" + events(lines) + ","), end);
        assertTrue(lines.get(0).contains("\"end_record\":true"), lines.get(0));
        Path file = Files.write(dir.resolve("snapshot.jsonl"), lines);
        assertInstanceOf(VerifyResult.Ok.class, ExportFileVerifier.verify(file, AuditSigningKey.readPublicKey(pub)));
        assertTrue(events(export(AuditQuery.all())) >= events(lines) + committedAfter, "a later export has them");
    }

    @Test
    void aCutFileIsTruncatedWithExit4NeverTampered() throws Exception {
        List<String> whole = export(AuditQuery.all());
        Path complete = Files.write(dir.resolve("complete.jsonl"), whole);
        assertEquals(0, verify(complete).code(), verify(complete).toString());

        List<String> noEnd = new ArrayList<>(whole.subList(0, whole.size() - 1));
        Run cutAtLine = verify(Files.write(dir.resolve("no-end.jsonl"), noEnd));
        assertEquals(AuditCommand.TRUNCATED, cutAtLine.code(), cutAtLine.toString());
        assertTrue(
                cutAtLine.out().startsWith("TRUNCATED: STREAM_TRUNCATED: 途中で切断されました")
                        && cutAtLine.out().contains("cut after " + events(noEnd) + " events"),
                cutAtLine.out());

        String text = String.join("\n", whole) + "\n";
        int mid = text.indexOf("{\"record\":\"event\"", text.length() / 2) + 40;
        Path torn = Files.writeString(dir.resolve("torn.jsonl"), text.substring(0, mid));
        Run cutMidLine = verify(torn);
        assertEquals(AuditCommand.TRUNCATED, cutMidLine.code(), cutMidLine.toString());
        assertTrue(cutMidLine.out().contains("its last line is cut off"), cutMidLine.out());

        // an export made before the end record existed: no promise in the header, no end line
        List<String> old = new ArrayList<>(noEnd);
        old.set(0, old.get(0).replace(",\"end_record\":true", ""));
        Run before = verify(Files.write(dir.resolve("old.jsonl"), old));
        assertEquals(0, before.code(), before.toString());

        // the end record's count catches events cut off the end that no checkpoint sealed
        List<String> shortened = new ArrayList<>(whole);
        shortened.remove(shortened.size() - 2);
        Run dropped = verify(Files.write(dir.resolve("dropped.jsonl"), shortened));
        assertEquals(AuditCommand.FAILED, dropped.code(), dropped.toString());
    }

    /** The store fails while rows stream (its backend terminated): the stream ends with an error record. */
    @Test
    void aStoreFailureMidStreamEndsTheStreamWithAnErrorRecord() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ExportSnapshot snapshot = store.reader().openExport(AuditQuery.all(), AUDITOR, ExportFormat.JSONL)) {
            try (Connection su = pg.superuser();
                    Statement s = su.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE datname = current_database() AND state = 'idle in transaction'")) {
                assertTrue(rs.next(), "the export's transaction");
            }
            AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> snapshot.writeTo(out));
            assertTrue(e.getMessage().contains("after 0 events"), e.getMessage());
        }
        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertTrue(
                lines.get(lines.size() - 1).startsWith("{\"record\":\"error\",\"reason\":\"AUDIT_UNAVAILABLE\""),
                lines.get(lines.size() - 1));
        Run v = verify(Files.write(dir.resolve("failed.jsonl"), lines));
        assertEquals(AuditCommand.TRUNCATED, v.code(), v.toString());
        assertTrue(v.out().contains("the gateway stopped the export: AUDIT_UNAVAILABLE"), v.out());
        store.postgresLog().flush(Duration.ofSeconds(5));
    }

    record Run(int code, String out, String err) {}

    private static Run verify(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new AuditCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute("verify", "--file", file.toString(), "--key", pub.toString());
        return new Run(code, out.toString(), err.toString());
    }
}
