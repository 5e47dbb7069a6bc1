package jp.sekisho.audit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code audit} command end to end against a PostgreSQL server: exit codes and one-line output. */
class AuditCommandTest {

    static ExternalPostgres pg;

    @TempDir
    static Path dir;

    static Path yaml;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void seed() throws Exception {
        pg = ExternalPostgres.create();
        yaml = dir.resolve("gateway.yml");
        Files.writeString(yaml, """
                node-id: cli-gw
                data-dir: data
                listeners: [ { port: 8443 } ]   # a gateway key this module ignores
                store:
                  url: %s
                  user: %s
                  password: ""
                  owner-user: postgres
                audit:
                  checkpoint-every: 5
                  checkpoint-seconds: 60
                  write-timeout: 2s
                """.formatted(pg.url(), ExternalPostgres.APP_ROLE));
        try (AuditStore store = AuditStore.open(AuditConfig.fromGatewayYaml(yaml))) {
            for (int i = 0; i < 20; i++) {
                store.log()
                        .record(
                                i % 2 == 0
                                        ? TestEvents.allowed(i)
                                        : TestEvents.denied(i, "CIDR_MISMATCH", "198.51.100." + i));
            }
        }
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

    @Test
    void exportThenVerifyOfflineAndOnTheStore() throws Exception {
        Path export = dir.resolve("audit.jsonl");
        Run e = run(
                "export",
                "--config",
                yaml.toString(),
                "--format",
                "jsonl",
                "--out",
                export.toString(),
                "--node",
                "cli-gw");
        assertEquals(0, e.code(), e.err());
        Path pub = dir.resolve("data/audit-signing.pub.pem");
        assertTrue(Files.exists(pub), "public key beside the generated signing key");

        Run v = run("verify", "--file", export.toString(), "--key", pub.toString());
        assertEquals(0, v.code(), v.out() + v.err());
        assertTrue(v.out().startsWith("OK: "), v.out());

        Run s = run("verify", "--config", yaml.toString(), "--node", "cli-gw");
        assertEquals(0, s.code(), s.out() + s.err());

        Run csv = run(
                "export",
                "--config",
                yaml.toString(),
                "--format",
                "csv",
                "--out",
                dir.resolve("a.csv").toString(),
                "--outcome",
                "DENY");
        assertEquals(0, csv.code(), csv.err());
        var lines = Files.readAllLines(dir.resolve("a.csv"));
        assertEquals(10, lines.stream().filter(l -> l.startsWith("event,")).count(), "the 10 denials");
        assertTrue(
                lines.stream().filter(l -> l.startsWith("checkpoint,cli-gw,")).count() >= 4,
                "checkpoints 5, 10, 15, 20 at least");
    }

    @Test
    void anExportLineWithADuplicatedKeyIsUnreadableNotVerified() throws Exception {
        Path export = dir.resolve("dup.jsonl");
        assertEquals(
                0,
                run(
                                "export",
                                "--config",
                                yaml.toString(),
                                "--format",
                                "jsonl",
                                "--out",
                                export.toString(),
                                "--node",
                                "cli-gw")
                        .code());
        Path pub = dir.resolve("data/audit-signing.pub.pem");
        var lines = new java.util.ArrayList<>(Files.readAllLines(export));
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) {
            if (lines.get(i).startsWith("{\"record\":\"event\"")) {
                at = i;
            }
        }
        // a reader keeping the first source_ip sees 10.9.9.9, one keeping the last sees the hashed value:
        // the lenient parser kept the last, so this file used to verify
        lines.set(
                at,
                lines.get(at).replace("{\"record\":\"event\",", "{\"record\":\"event\",\"source_ip\":\"10.9.9.9\","));
        Files.write(export, lines);
        Run v = run("verify", "--file", export.toString(), "--key", pub.toString());
        assertEquals(1, v.code(), v.out() + v.err());
        assertTrue(v.out().startsWith("FAILED: UNREADABLE"), v.out());
        assertTrue(
                v.out().contains("line " + (at + 1) + ": invalid JSON at offset ")
                        && v.out().contains("Duplicate field 'source_ip'"),
                v.out());
    }

    @Test
    void searchPrintsMatchesAsJsonLines() {
        Run r = run(
                "search",
                "--config",
                yaml.toString(),
                "--reason",
                "CIDR_MISMATCH",
                "--source",
                "198.51.100.0/24",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(10, r.out().lines().count(), r.out());
        assertTrue(r.out().lines().allMatch(l -> l.contains("\"reason\":\"CIDR_MISMATCH\"")));
    }

    @Test
    void controlAndBidiCharactersPrintVisiblyOnOneLineAndCsvCellsAreNoFormulas() throws Exception {
        try (AuditStore store = AuditStore.open(AuditConfig.fromGatewayYaml(yaml))) {
            store.log()
                    .commit(jp.sekisho.audit.AuditEvent.of(
                                    jp.sekisho.audit.EventType.REQUEST_ALLOWED, jp.sekisho.audit.Outcome.ALLOW)
                            .principal(new jp.sekisho.audit.AuditPrincipal(
                                    "CN=\u202eevil\u0007,O=札幌市,C=JP", "0a", "cd".repeat(32)))
                            .routeId("r1\r\ncli-gw#999 2026-12-03T00:00:00Z REQUEST_ALLOWED ALLOW - src=10.0.0.1")
                            .approvalRef("A-1\u001b[2J\u001b]0;pwned\u0007")
                            .transferId("t-ctl")
                            .requestId("=HYPERLINK(\"http://evil\")")
                            .build());
        }
        Run r = run("search", "--config", yaml.toString(), "--transfer", "t-ctl");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().lines().count(), r.out());
        String line = r.out().lines().findFirst().orElseThrow();
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x202e), line);
        assertTrue(line.contains("route=r1\\x0d\\x0acli-gw#999"), line);
        assertTrue(line.contains("approval=A-1\\x1b[2J\\x1b]0;pwned\\x07"), line);
        assertTrue(line.contains("principal=CN=\\u202eevil\\x07,O=札幌市,C=JP"), line);

        Path csv = dir.resolve("ctl.csv");
        Run e = run(
                "export",
                "--config",
                yaml.toString(),
                "--format",
                "csv",
                "--out",
                csv.toString(),
                "--transfer",
                "t-ctl");
        assertEquals(0, e.code(), e.err());
        String event = Files.readAllLines(csv).stream()
                .filter(l -> l.startsWith("event,"))
                .findFirst()
                .orElseThrow();
        assertTrue(event.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","), event);
        assertTrue(event.contains("r1\\x0d\\x0acli-gw#999"), event);
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertEquals(2, run("verify").code());
        assertEquals(
                2,
                run("verify", "--file", dir.resolve("missing.jsonl").toString()).code());
        Run missing = run("verify", "--file", dir.resolve("missing.jsonl").toString(), "--key", "nope.pem");
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertEquals(
                2,
                run("export", "--config", yaml.toString(), "--format", "xml", "--out", "x")
                        .code());
        assertEquals(
                2,
                run("search", "--config", yaml.toString(), "--from", "yesterday")
                        .code());
        assertEquals(2, run("search", "--bogus").code());
    }

    @Test
    void unreachableStoreExitsThreeQuickly() throws Exception {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "node-id: x\nstore:\n  url: jdbc:postgresql://127.0.0.1:1/none\n  user: nobody\n");
        long t0 = System.nanoTime();
        Run r = run("search", "--config", bad.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(3, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
        assertTrue(ms < 5000, "fails fast: " + ms + " ms");
    }

    @Test
    void tamperedStoreFailsVerificationNamingTheEvent() throws Exception {
        // a separate node so the other tests' chain stays intact
        Path other = dir.resolve("other.yml");
        Files.writeString(other, Files.readString(yaml).replace("node-id: cli-gw", "node-id: cli-tamper"));
        try (AuditStore store = AuditStore.open(AuditConfig.fromGatewayYaml(other))) {
            for (int i = 0; i < 12; i++) {
                store.log().record(TestEvents.allowed(i));
            }
        }
        assertEquals(
                0,
                run("verify", "--config", other.toString(), "--node", "cli-tamper")
                        .code());
        try (Connection c = pg.superuser();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL session_replication_role = replica");
            s.execute("UPDATE audit_event SET source_ip = '10.9.9.9' WHERE node_id = 'cli-tamper' AND seq = 7");
            c.commit();
        }
        Run r = run("verify", "--config", other.toString(), "--node", "cli-tamper");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("MODIFIED at cli-tamper#7"), r.out());
    }
}
