package jp.sekisho.audit.bench;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import org.postgresql.PGConnection;

/**
 * Sustained audit ingest on PostgreSQL (127.0.0.1:5432, a fresh database): the store with hash
 * chaining and signed checkpoints on, against plain multi-row INSERT and COPY of the same rows into a
 * table with the same columns and indexes but no chain, no signing, no partitions. Prints a table.
 *
 * <p>Run with {@code bench/audit-ingest.sh [events]} (default 300,000). Not a surefire test.
 */
public final class AuditIngestBench {

    static final int BATCH = 2000;
    static final String COLS = "node_id, seq, time, event_type, outcome, reason, principal_subject, principal_serial, "
            + "principal_sha256, source_ip, source_port, listener_port, route_id, approval_ref, transfer_id, byte_count, "
            + "payload_sha256, request_id, detail";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
        List<AuditEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(TestEvents.allowed(i));
        }
        Path dir = Files.createTempDirectory("sekisho-bench");
        try (ExternalPostgres pg = ExternalPostgres.create();
                Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                        .withOwner("postgres", null))) {
            try (Connection c = pg.superuser();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE bench_plain (LIKE audit_event INCLUDING ALL)");
                s.execute("GRANT INSERT ON bench_plain TO " + ExternalPostgres.APP_ROLE);
            }
            AuditSigningKey key = AuditSigningKey.loadOrCreate(dir.resolve("audit-signing.key"));

            // warm-up: JIT, connections, partitions
            chained(db, key, "warmup", events.subList(0, Math.min(n, 50_000)));
            multiRowInsert(db, events.subList(0, Math.min(n, 20_000)), "warmup");
            truncatePlain(pg);

            double insert = multiRowInsert(db, events, "plain");
            truncatePlain(pg);
            double copy = copy(db, events);
            double chained = chained(db, key, "bench", events);
            double committed = committedConcurrently(db, key, events.subList(0, Math.min(n, 100_000)), 64);

            double plainBest = Math.max(insert, copy);
            long checkpoints;
            try (Connection c = pg.superuser();
                    Statement st = c.createStatement();
                    var rs = st.executeQuery("SELECT count(*) FROM audit_checkpoint WHERE node_id = 'bench'")) {
                rs.next();
                checkpoints = rs.getLong(1);
            }
            jp.sekisho.audit.verify.VerifyResult verified;
            try (PostgresAuditLog reader =
                    PostgresAuditLog.open(db, AuditSettings.defaults("bench-reader", Path.of(".")), key)) {
                verified = new jp.sekisho.audit.read.AuditReader(db.dataSource(), reader)
                        .verify(key.publicKey(), "bench", new AuditPrincipal("CN=bench", null, null));
            }
            System.out.printf(
                    "%nSekisho audit ingest, %,d events, PostgreSQL %s, batches of up to %d rows per transaction%n",
                    n, version(pg), BATCH);
            System.out.println("| path | events/s |");
            System.out.println("|---|---:|");
            System.out.printf("| plain multi-row INSERT (no chain, no signing) | %,.0f |%n", insert);
            System.out.printf("| plain COPY (no chain, no signing) | %,.0f |%n", copy);
            System.out.printf(
                    "| audit store record(): chained, checkpoint signed every 1000 (COPY) | %,.0f |%n", chained);
            System.out.printf(
                    "| audit store commit() from 64 threads: chained, signed, each waits for its commit | %,.0f |%n",
                    committed);
            System.out.printf("(chained run: %d signed checkpoints stored; verify: %s)%n", checkpoints, verified);
            System.out.printf(
                    "ratio chained / plain COPY: %.0f%%; chained / plain multi-row INSERT: %.0f%%; chained / best plain: %.0f%%%n",
                    100 * chained / copy, 100 * chained / insert, 100 * chained / plainBest);
            System.out.printf(
                    "target: >= 50%% of plain and >= 20,000 events/s: %s%n",
                    chained >= 0.5 * plainBest && chained >= 20_000 ? "MET" : "NOT MET");
        }
    }

    static double chained(Database db, AuditSigningKey key, String node, List<AuditEvent> events) throws Exception {
        AuditSettings s = AuditSettings.defaults(node, Path.of(".")).withQueueCapacity(50_000);
        try (PostgresAuditLog log = PostgresAuditLog.open(db, s, key)) {
            long t0 = System.nanoTime();
            for (AuditEvent e : events) {
                while (true) {
                    try {
                        log.record(e);
                        break;
                    } catch (AuditUnavailableException full) {
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                50_000); // queue full: the writer is what we measure
                    }
                }
            }
            log.flush(Duration.ofMinutes(5));
            return events.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double committedConcurrently(Database db, AuditSigningKey key, List<AuditEvent> events, int threads)
            throws Exception {
        AuditSettings s = AuditSettings.defaults("bench-commit", Path.of("."));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (PostgresAuditLog log = PostgresAuditLog.open(db, s, key)) {
            AtomicInteger next = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < events.size(); i = next.getAndIncrement()) {
                        log.commit(events.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return events.size() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    static double multiRowInsert(Database db, List<AuditEvent> events, String node) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            int rowsPerStatement = 1000; // 19 parameters a row, under PostgreSQL's 65,535
            StringBuilder sql = new StringBuilder("INSERT INTO bench_plain (" + COLS + ", prev_hash, hash) VALUES ");
            for (int r = 0; r < rowsPerStatement; r++) {
                sql.append(r == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'','')");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int inStatement = 0;
                int inTx = 0;
                long seq = 0;
                int p = 1;
                for (int i = 0; i + rowsPerStatement <= events.size() || inStatement > 0; ) {
                    AuditEvent e = events.get(i++);
                    p = bind(ps, p, node, ++seq, e);
                    if (++inStatement == rowsPerStatement) {
                        ps.executeUpdate();
                        inStatement = 0;
                        p = 1;
                        inTx += rowsPerStatement;
                        if (inTx >= BATCH) {
                            c.commit();
                            inTx = 0;
                        }
                    }
                    if (i + rowsPerStatement > events.size() && inStatement == 0) {
                        break;
                    }
                }
                c.commit();
                return seq / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    static int bind(PreparedStatement ps, int p, String node, long seq, AuditEvent e) throws Exception {
        AuditPrincipal pr = e.principal();
        ps.setString(p++, node);
        ps.setLong(p++, seq);
        ps.setObject(p++, Instant.now().atOffset(ZoneOffset.UTC));
        ps.setString(p++, e.type().name());
        ps.setString(p++, e.outcome().name());
        ps.setString(p++, e.reason());
        ps.setString(p++, pr == null ? null : pr.subject());
        ps.setString(p++, pr == null ? null : pr.serial());
        ps.setString(p++, pr == null ? null : pr.sha256());
        ps.setString(p++, e.sourceIp());
        ps.setObject(p++, e.sourcePort());
        ps.setObject(p++, e.listenerPort());
        ps.setString(p++, e.routeId());
        ps.setString(p++, e.approvalRef());
        ps.setString(p++, e.transferId());
        ps.setObject(p++, e.bytes());
        ps.setString(p++, e.payloadSha256());
        ps.setString(p++, e.requestId());
        ps.setString(p++, e.detailJson());
        return p;
    }

    static double copy(Database db, List<AuditEvent> events) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            var api = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder b = new StringBuilder(BATCH * 400);
            long seq = 0;
            for (int i = 0; i < events.size(); i++) {
                AuditEvent e = events.get(i);
                AuditPrincipal pr = e.principal();
                Object[] cells = {
                    "plain-copy",
                    ++seq,
                    Instant.now(),
                    e.type(),
                    e.outcome(),
                    e.reason(),
                    pr == null ? null : pr.subject(),
                    pr == null ? null : pr.serial(),
                    pr == null ? null : pr.sha256(),
                    e.sourceIp(),
                    e.sourcePort(),
                    e.listenerPort(),
                    e.routeId(),
                    e.approvalRef(),
                    e.transferId(),
                    e.bytes(),
                    e.payloadSha256(),
                    e.requestId(),
                    e.detailJson(),
                    "",
                    ""
                };
                for (int k = 0; k < cells.length; k++) {
                    if (k > 0) {
                        b.append('\t');
                    }
                    if (cells[k] == null) {
                        b.append("\\N");
                    } else {
                        String v = cells[k].toString();
                        b.append(v.replace("\\", "\\\\")
                                .replace("\t", "\\t")
                                .replace("\n", "\\n")
                                .replace("\r", "\\r"));
                    }
                }
                b.append('\n');
                if ((i + 1) % BATCH == 0 || i + 1 == events.size()) {
                    api.copyIn(
                            "COPY bench_plain (" + COLS + ", prev_hash, hash) FROM STDIN",
                            new StringReader(b.toString()));
                    c.commit();
                    b.setLength(0);
                }
            }
            return seq / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static void truncatePlain(ExternalPostgres pg) throws Exception {
        try (Connection c = pg.superuser();
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE bench_plain");
        }
    }

    static String version(ExternalPostgres pg) throws Exception {
        try (Connection c = pg.superuser();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
