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
import java.util.ArrayList;
import java.util.List;
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
        assertEquals(
                10, lines.stream().filter(l -> l.matches("\\d{4}-.*,DENY,.*")).count(), "the 10 denials");
        assertEquals(12, lines.size(), "header, 10 events, end: no checkpoint rows in CSV for people");
        assertTrue(csv.out().contains("exported 10 events"), csv.out());
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
        assertEquals(3, r.out().lines().count(), "header, the event, the notice: " + r.out());
        String line = r.out().lines().skip(1).findFirst().orElseThrow();
        assertTrue(r.out().chars().noneMatch(c -> (c < 0x20 && c != '\n') || c == 0x202e), r.out());
        assertTrue(line.contains("r1\\x0d\\x0acli-gw#999"), line);
        assertTrue(line.contains("A-1\\x1b[2J\\x1b]0;pwned\\x07"), line);
        assertTrue(line.contains("CN=\\u202eevil\\x07,O=札幌市,C=JP"), line);
        Run tail = run("search", "--config", yaml.toString(), "--transfer", "t-ctl", "--json");
        assertEquals(1, tail.out().lines().count(), "JSON Lines stay JSON Lines: " + tail.out());

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
                .filter(l -> l.contains(",t-ctl,"))
                .findFirst()
                .orElseThrow();
        assertTrue(event.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","), event);
        assertTrue(event.contains("r1\\x0d\\x0acli-gw#999"), event);
    }

    /**
     * A search cut at --limit says so and prints the command for the next page; running the printed
     * command, page after page, shows every matching event once, newest first, and then says that was all.
     */
    @Test
    void searchSaysWhenItWasCutAndTheCommandItPrintsShowsTheNextPage() {
        String[] args = {"search", "--config", yaml.toString(), "--outcome", "DENY", "--limit", "4"};
        List<String> seqs = new ArrayList<>();
        for (int page = 1; ; page++) {
            Run r = run(args);
            assertEquals(0, r.code(), r.err());
            List<String> lines = r.out().lines().toList();
            assertTrue(lines.get(0).startsWith("日時(JST) Time"), lines.get(0));
            List<String> rows = lines.stream()
                    .filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d .*"))
                    .toList();
            rows.forEach(l -> seqs.add(l.substring(l.lastIndexOf("cli-gw#") + 7).trim()));
            assertTrue(rows.stream().allMatch(l -> l.contains("DENY") && l.contains("CIDR_MISMATCH")), r.out());
            if (page == 3) {
                assertEquals(2, rows.size(), r.out());
                assertTrue(r.out().contains("2件（条件に合うのはこれで全部です）/ 2 events (all that match)"), r.out());
                break;
            }
            assertEquals(4, rows.size(), r.out());
            assertTrue(r.out().contains("4件を表示しました。続きがあります / 4 events shown; more match."), r.out());
            String command = lines.get(lines.size() - 1).trim();
            assertTrue(command.startsWith("audit search --config " + yaml + " --outcome DENY --before "), command);
            assertTrue(command.endsWith(" --limit 4"), command);
            List<String> words = shellWords(command);
            args = words.subList(1, words.size()).toArray(String[]::new);
        }
        List<Integer> asNumbers = seqs.stream().map(Integer::parseInt).toList();
        assertEquals(10, new java.util.HashSet<>(asNumbers).size(), "every denial once: " + seqs);
        List<Integer> newestFirst = new ArrayList<>(asNumbers);
        newestFirst.sort(java.util.Comparator.reverseOrder());
        assertEquals(newestFirst, asNumbers, "newest first");
    }

    @Test
    void sinceApprovalAndAPrincipalWrittenTheOpenSslWayFindTheEventsAndTheNextPageKeepsTheWindow() {
        Run r = run(
                "search",
                "--config",
                yaml.toString(),
                "--since",
                "1h",
                "--approval",
                "2総政第158号",
                "--principal",
                "/C=JP/O=Example City/OU=総務課/CN=hr-batch",
                "--limit",
                "3",
                "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().count(), "JSON Lines on stdout: " + r.out());
        assertTrue(r.out().lines().allMatch(l -> l.contains("\"subject\":\"CN=hr-batch,OU=総務課,O=Example City,C=JP\"")));
        String command = r.err().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertTrue(r.err().contains("3件を表示しました。続きがあります"), "the notice on stderr: " + r.err());
        assertTrue(command.contains(" --from 20") && !command.contains("--since"), "the window is fixed: " + command);
        assertTrue(command.contains(" --principal '/C=JP/O=Example City/OU=総務課/CN=hr-batch' "), command);
        assertTrue(command.contains(" --approval '2総政第158号' ") || command.contains(" --approval 2総政第158号 "), command);
        List<String> words = shellWords(command);
        Run next = run(words.subList(1, words.size()).toArray(String[]::new));
        assertEquals(0, next.code(), next.err());
        assertEquals(3, next.out().lines().count(), next.out());
        assertTrue(java.util.Collections.disjoint(
                r.out().lines().toList(), next.out().lines().toList()));

        Run jst = run("search", "--config", yaml.toString(), "--from", "2000-01-01 09:00", "--to", "令和20年1月1日");
        assertEquals(0, jst.code(), jst.err());
        Run bad = run("search", "--config", yaml.toString(), "--since", "yesterday");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--since: 30m, 1h, 1d, 7d のように"), bad.err());
        assertTrue(bad.err().contains("must be a number and a unit"), bad.err());
        Run both = run("search", "--config", yaml.toString(), "--since", "1h", "--from", "2026-12-04");
        assertEquals(2, both.code(), both.err());
    }

    /** Splits a command line the way a POSIX shell does for bare and single-quoted words. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                w.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '\\') {
                w.append(line.charAt(++i));
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
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
