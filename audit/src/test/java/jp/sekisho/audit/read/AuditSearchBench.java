package jp.sekisho.audit.read;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;

/**
 * The searches people run, on a 1,000,000-event log in PostgreSQL (127.0.0.1:5432, a fresh database
 * migrated like a gateway's): the newest page, the newest page of one principal (written the OpenSSL
 * way, not as stored), of a rare principal, of an approval, of the last hour, a page far down through
 * the cursor, and the capped counts. Prints, per search, the time {@link AuditReader} takes (what the
 * console and the API wait for: the AUDIT_READ commit and the query), median and worst of 10, and
 * PostgreSQL's own execution time (EXPLAIN ANALYZE of the same statement) with the plan's top node.
 *
 * <p>The events are written by one INSERT ... SELECT over generate_series: their chain hashes are
 * bogus (the chains do not verify; nothing here reads them), their shape is realistic: two nodes, 30
 * days, 70% with one of 35 principals (and a rare one on 25 events), connection refusals without
 * one, 20 approvals (and a rare one), 10 GATEWAY_STARTED. Run with {@code
 * bench/audit-search.sh [events] [--keep]} ({@code --keep} leaves the database and prints its URL, for
 * a gateway to be started on it). In this package for {@link QuerySql}'s statement; not a surefire
 * test.
 */
public final class AuditSearchBench {

    static final int RUNS = 10;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 1_000_000;
        boolean keep = Arrays.asList(args).contains("--keep");
        Path dir = Files.createTempDirectory("sekisho-search-bench");
        ExternalPostgres pg = ExternalPostgres.create();
        try (Database db = Database.open(
                StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null).withOwner("postgres", null))) {
            long t0 = System.nanoTime();
            try (Connection c = pg.superuser()) {
                fill(c, n);
            }
            System.out.printf(
                    Locale.ROOT, "filled %,d events in %.1f s (INSERT ... SELECT, then ANALYZE)%n", n, secs(t0));
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("audit-signing.key"));
            try (PostgresAuditLog log = PostgresAuditLog.open(
                    db,
                    AuditSettings.defaults("bench-reader", dir).withCheckpoints(1000, Duration.ofMinutes(5)),
                    key)) {
                AuditReader reader = new AuditReader(db.dataSource(), log);
                run(pg, reader);
            }
        } finally {
            if (keep) {
                System.out.println("kept: " + pg.url()
                        + " (drop it with: psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE " + pg.name() + "')");
            } else {
                pg.close();
            }
        }
    }

    /** Stored as X500Principal writes it; searched below as OpenSSL prints it. */
    static String subject(int p) {
        return "CN=user-" + p + ",OU=部署" + (p % 7) + ",O=Kurume City,C=JP";
    }

    static void fill(Connection c, int n) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off");
            s.execute("SELECT audit_ensure_partition(d) FROM generate_series(now() - interval '31 days', now(),"
                    + " interval '1 day') d");
            // g → node gw1/gw2 alternately, seq g/2 per node, time spread evenly over the last 30 days
            s.execute("""
                    INSERT INTO audit_event (node_id, seq, time, event_type, outcome, reason, principal_subject,
                        principal_serial, principal_sha256, source_ip, source_port, listener_port, route_id,
                        approval_ref, transfer_id, byte_count, payload_sha256, request_id, detail, prev_hash, hash)
                    SELECT 'gw' || (g %% 2 + 1), g / 2 + 1,
                           now() - interval '30 days' + (interval '30 days' * g / %1$d),
                           CASE WHEN g %% 100000 = 11 THEN 'GATEWAY_STARTED'
                                WHEN g %% 10 < 3 THEN 'CONNECTION_REFUSED' WHEN g %% 10 < 6 THEN 'CONNECTION_ACCEPTED'
                                WHEN g %% 10 < 9 THEN 'REQUEST_ALLOWED' ELSE 'REQUEST_DENIED' END,
                           CASE WHEN g %% 10 < 3 OR g %% 10 = 9 THEN 'DENY' ELSE 'ALLOW' END,
                           CASE WHEN g %% 10 < 3 THEN 'IP_NOT_ALLOWED' WHEN g %% 10 = 9 THEN 'NOT_A_SENDER' END,
                           CASE WHEN g %% 10 >= 3 AND g %% 40000 = 5 THEN 'CN=rare-user,O=Kurume City,C=JP'
                                WHEN g %% 10 >= 3 THEN 'CN=user-' || (g %% 50) || ',OU=部署' || (g %% 50 %% 7)
                                     || ',O=Kurume City,C=JP' END,
                           CASE WHEN g %% 10 >= 3 THEN to_hex(4096 + g %% 50) END,
                           CASE WHEN g %% 10 >= 3 THEN md5('c' || (g %% 50)) || md5('d' || (g %% 50)) END,
                           '10.' || (g %% 7) || '.' || (g %% 200) || '.' || (g %% 250 + 1), 40000 + g %% 20000, 8443,
                           CASE WHEN g %% 10 >= 6 THEN 'route-' || (g %% 20) END,
                           CASE WHEN g %% 40000 = 7 THEN '9総政第1号'
                                WHEN g %% 10 >= 6 THEN (g %% 20 + 1) || '福第' || (300 + g %% 20) || '号' END,
                           CASE WHEN g %% 10 >= 6 THEN 't-' || g END,
                           CASE WHEN g %% 10 >= 6 THEN 1048576 + g END, NULL, 'req-' || g,
                           '{"records":' || (g %% 1000) || '}',
                           md5('p' || g) || md5('q' || g), md5('h' || g) || md5('i' || g)
                    FROM generate_series(0, %1$d - 1) g
                    """.formatted(n));
            s.execute("ANALYZE audit_event");
        }
    }

    record Search(String name, Supplier<AuditQuery> query, boolean count) {}

    static void run(ExternalPostgres pg, AuditReader reader) throws Exception {
        AuditPrincipal who = new AuditPrincipal("CN=bench,O=Kurume City", "1", "b".repeat(64));
        AuditQuery newest = AuditQuery.all().newestFirst().limit(50);
        // page 20 of the newest-first list, reached by following the cursor page after page
        AuditQuery deep = newest;
        for (int i = 1; i < 20; i++) {
            deep = QueryParameters.next(deep, reader.page(deep, who));
        }
        AuditQuery page20 = deep;
        AuditQuery middle = newest.before(new Cursor(Instant.now().minus(Duration.ofDays(15)), "gw1", 0));
        String openssl = "/C=JP/O=Kurume City/OU=部署0/CN=user-7"; // stored as CN=user-7,OU=部署0,O=Kurume City,C=JP
        List<Search> searches = List.of(
                new Search("newest 50", () -> newest, false),
                new Search(
                        "newest 50, principal /C=JP/O=…/CN=user-7 (2% of events)",
                        () -> newest.principal(openssl), false),
                new Search(
                        "newest 50, principal cn=user-7, ou=部署0, … (lower case)",
                        () -> newest.principal("cn=user-7, ou=部署0, o=kurume city, c=jp"),
                        false),
                new Search(
                        "newest 50, rare principal (25 events)",
                        () -> newest.principal("/C=JP/O=Kurume City/CN=rare-user"),
                        false),
                new Search("newest 50, principal by serial 10:07", () -> newest.principal("10:07"), false),
                new Search("newest 50, approval 8福第307号", () -> newest.approval("８福第３０７号"), false),
                new Search("newest 50, rare approval 9総政第1号 (25 events)", () -> newest.approval("9総政第1号"), false),
                new Search(
                        "newest 50, type GATEWAY_STARTED (10 events, not indexed)",
                        () -> newest.types(java.util.Set.of(jp.sekisho.audit.EventType.GATEWAY_STARTED)),
                        false),
                new Search(
                        "newest 50, since 1h, DENY",
                        () -> newest.between(Instant.now().minus(Duration.ofHours(1)), null)
                                .outcome(jp.sekisho.audit.Outcome.DENY),
                        false),
                new Search("page 20 via the cursor", () -> page20, false),
                new Search("a page 15 days down via the cursor", () -> middle, false),
                new Search("count, capped at 10,000", AuditQuery::all, true),
                new Search(
                        "count principal, capped at 10,000",
                        () -> AuditQuery.all().principal(openssl),
                        true));
        System.out.println();
        System.out.printf(
                Locale.ROOT, "%-58s %10s %10s %10s  %s%n", "search", "median ms", "max ms", "pg ms", "plan (top)");
        for (Search s : searches) {
            AuditQuery q = s.query().get();
            long[] ms = new long[RUNS];
            Object answer = null;
            for (int i = -3; i < RUNS; i++) { // 3 warm-up runs
                long t = System.nanoTime();
                answer = s.count() ? reader.count(q, AuditReader.DEFAULT_COUNT_CAP, who) : reader.page(q, who);
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t) / 1_000_000;
                }
            }
            Arrays.sort(ms);
            String[] plan =
                    explain(pg, s.count() ? QuerySql.count(q, AuditReader.DEFAULT_COUNT_CAP) : QuerySql.of(q, 51));
            String shown = answer instanceof EventPage p
                    ? p.events().size() + (p.more() ? " + more" : "")
                    : ((EventCount) answer).display();
            System.out.printf(
                    Locale.ROOT,
                    "%-58s %10d %10d %10s  %s  [%s]%n",
                    s.name(),
                    ms[RUNS / 2],
                    ms[RUNS - 1],
                    plan[0],
                    plan[1],
                    shown);
        }
    }

    /** PostgreSQL's execution time of the statement and its plan's top node. */
    static String[] explain(ExternalPostgres pg, QuerySql qs) throws Exception {
        try (Connection c = pg.superuser();
                PreparedStatement ps = qs.prepare(c, "EXPLAIN (ANALYZE, FORMAT TEXT) ");
                ResultSet rs = ps.executeQuery()) {
            List<String> lines = new ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
            String time = lines.stream()
                    .filter(l -> l.startsWith("Execution Time:"))
                    .map(l -> l.replaceAll("[^0-9.]", ""))
                    .findFirst()
                    .orElse("?");
            String top = lines.stream()
                    .filter(l -> l.contains("Scan"))
                    .map(l ->
                            l.replaceAll("\\s*\\(cost.*", "").replace("->", "").trim())
                    .limit(2)
                    .reduce((a, b) -> a + " / " + b)
                    .orElse(lines.get(0));
            return new String[] {time, top};
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
