package jp.sekisho.audit.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.chain.CanonicalEncoding;
import jp.sekisho.audit.chain.Checkpoint;
import jp.sekisho.audit.chain.Hex;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.MonthExport;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;

/**
 * {@code audit archive}: a past month out of the live log, in this order so that a kill at any point leaves a state
 * the re-run completes: seal each node's last event of the month with a signed checkpoint, write the month's export
 * (temporary file, fsync, rename, fsync of the folder), verify that file, then in one transaction detach the
 * partition, rename it {@code audit_event_YYYYMM_archived} (kept, never dropped) and note where it went; last, record
 * AUDIT_ARCHIVED. Runs as the owner role: the application role cannot detach.
 */
public final class MonthArchiver {

    private final AuditStore store;
    private final Clock clock;

    /** Where a kill may land between the steps; tests stop the run there to check that a re-run completes it. */
    enum Step {
        WRITTEN,
        DETACHED
    }

    /** Runs after each step; throwing stops the archive there, as a kill would. */
    java.util.function.Consumer<Step> afterStep = step -> {};

    public MonthArchiver(AuditStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The file a month is archived to, inside the archive folder. */
    public static String fileName(YearMonth month) {
        return "audit-" + month + ".jsonl";
    }

    public ArchiveOutcome archive(YearMonth month, Path outDir, AuditPrincipal who) throws IOException, SQLException {
        YearMonth current = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        if (!month.isBefore(current)) {
            throw new ArchiveRefused(month + " は今月または未来の月です。アーカイブできるのは終わった月だけです / " + month
                    + " is the current or a future month (UTC partitions): only a finished month can be archived");
        }
        Path out = outDir.toAbsolutePath().normalize();
        try (Connection c = store.database().ownerConnection()) {
            String note = Partitions.archivedNote(c, month);
            if (note != null) {
                return already(c, month, note, who);
            }
            if (!Partitions.attached(c, month)) {
                throw new ArchiveRefused(month + " の監査ログはありません（パーティション " + Partitions.table(month)
                        + " がありません）/ no audit partition for " + month);
            }
            List<String> older = Partitions.olderAttached(c, month);
            if (!older.isEmpty()) {
                throw new ArchiveRefused("先に古い月をアーカイブしてください / archive the older months first, oldest first: "
                        + String.join(", ", older) + " (the live chain must continue from the archive)");
            }
            seal(c, month);
            Path file = out.resolve(fileName(month));
            Written w = write(c, month, out, file);
            // with the keys the month file carries: the store's registry, every node's keys
            VerifyResult check = ExportFileVerifier.verify(file, null, true, null);
            if (!(check instanceof VerifyResult.Ok ok)
                    || ok.events() != w.export().events()) {
                throw new ArchiveRefused("書き出したアーカイブの検証に失敗しました。何も切り離していません / the archive written to " + file
                        + " does not verify, nothing detached: " + describe(check));
            }
            afterStep.accept(Step.WRITTEN);
            Instant at = CanonicalEncoding.truncate(clock.instant());
            detach(c, month, w.export(), note(at, out, w));
            afterStep.accept(Step.DETACHED);
            store.log().commit(event(month, w, out, who, false));
            return new ArchiveOutcome.Archived(
                    month.toString(),
                    w.export().events(),
                    w.export().checkpoints(),
                    file,
                    w.sha256(),
                    Partitions.archivedTable(month));
        }
    }

    private record Written(MonthExport.Written export, String sha256) {}

    /** A signed checkpoint on each node's last event of the month, so the live chain can start right after it. */
    private void seal(Connection c, YearMonth month) throws SQLException {
        Map<String, long[]> ranges = MonthExport.ranges(c, Partitions.table(month));
        try (PreparedStatement last = c.prepareStatement("SELECT e.hash, (SELECT count(*) FROM audit_checkpoint k"
                        + " WHERE k.node_id = e.node_id AND k.seq = e.seq) FROM "
                        + Database.quoteIdent(Partitions.table(month))
                        + " e WHERE e.node_id = ? AND e.seq = ?");
                PreparedStatement ins = c.prepareStatement(
                        "INSERT INTO audit_checkpoint (node_id, seq, time, hash, key_id,"
                                + " algorithm, signature) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node_id, seq) DO NOTHING")) {
            for (Map.Entry<String, long[]> r : ranges.entrySet()) {
                last.setString(1, r.getKey());
                last.setLong(2, r.getValue()[1]);
                try (ResultSet rs = last.executeQuery()) {
                    if (!rs.next() || rs.getLong(2) > 0) {
                        continue;
                    }
                    Checkpoint cp = store.signingKey()
                            .sign(
                                    r.getKey(),
                                    r.getValue()[1],
                                    CanonicalEncoding.truncate(clock.instant()),
                                    rs.getString(1));
                    ins.setString(1, cp.nodeId());
                    ins.setLong(2, cp.seq());
                    ins.setObject(3, cp.time().atOffset(ZoneOffset.UTC));
                    ins.setString(4, cp.hash());
                    ins.setString(5, cp.keyId());
                    ins.setString(6, cp.algorithm());
                    ins.setString(7, cp.signature());
                    ins.executeUpdate();
                }
            }
        }
    }

    private Written write(Connection c, YearMonth month, Path out, Path file) throws IOException, SQLException {
        Files.createDirectories(out);
        Path tmp = out.resolve("." + fileName(month) + ".part");
        MessageDigest sha = sha256();
        MonthExport.Written w;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (OutputStream os = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
            w = MonthExport.write(
                    c, Partitions.table(month), store.signingKey().keyId(), "{\"archive\":\"" + month + "\"}", os);
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        String digest = Hex.of(sha.digest());
        fsync(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // sha256sum -c reads this; the public key lets the folder be verified offline on its own
        writeDurably(out.resolve(fileName(month) + ".sha256"), digest + "  " + fileName(month) + "\n");
        writeDurably(out.resolve(PUBLIC_KEY), publicKeyPem());
        fsync(out);
        return new Written(w, digest);
    }

    /** The signing public key beside the archives, so the folder verifies offline on its own. */
    public static final String PUBLIC_KEY = "audit-signing-key.pub.pem";

    private String publicKeyPem() {
        String b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(store.signingKey().publicKey().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /**
     * Detaches, renames and notes in one transaction; checks first that the partition holds exactly what was
     * exported (a late writer with a clock behind would otherwise lose its event from the live log).
     */
    private static void detach(Connection c, YearMonth month, MonthExport.Written w, String note) throws SQLException {
        String part = Database.quoteIdent(Partitions.table(month));
        String archived = Database.quoteIdent(Partitions.archivedTable(month));
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '10s'");
            s.execute("ALTER TABLE audit_event DETACH PARTITION " + part);
            long rows;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + part)) {
                rs.next();
                rows = rs.getLong(1);
            }
            if (rows != w.events()) {
                c.rollback();
                throw new ArchiveRefused("書き出し後に " + (rows - w.events()) + " 件増えました。再実行してください / " + (rows - w.events())
                        + " events arrived after the export; nothing detached, run it again");
            }
            s.execute("ALTER TABLE " + part + " RENAME TO " + archived);
            // row triggers cloned from audit_event may go with the detach: the archived table stays append-only
            s.execute("CREATE TRIGGER audit_archived_append_only BEFORE UPDATE OR DELETE ON " + archived
                    + " FOR EACH ROW EXECUTE FUNCTION audit_reject_change()");
            s.execute("REVOKE ALL ON " + archived + " FROM PUBLIC");
            s.execute("COMMENT ON TABLE " + archived + " IS " + Database.quoteLiteral(note));
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static String note(Instant at, Path out, Written w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("archived_at", at.toString());
        m.put("out", out.toString());
        m.put("rows", w.export().events());
        m.put("sha256", w.sha256());
        return Json.write(m);
    }

    private ArchiveOutcome already(Connection c, YearMonth month, String note, AuditPrincipal who) throws SQLException {
        Map<String, Object> m = Json.parseObject(note);
        Instant at = m.get("archived_at") instanceof String s ? Instant.parse(s) : null;
        String out = m.get("out") instanceof String s ? s : "?";
        boolean recorded;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM audit_event WHERE event_type = 'AUDIT_ARCHIVED'"
                + " AND time >= ? AND detail LIKE ? LIMIT 1")) {
            ps.setObject(1, (at == null ? Instant.EPOCH : at.minusSeconds(60)).atOffset(ZoneOffset.UTC));
            ps.setString(2, "%\"month\":\"" + month + "\"%");
            try (ResultSet rs = ps.executeQuery()) {
                recorded = rs.next();
            }
        }
        if (!recorded) {
            // stopped between the detach and its record: complete it now, from the note
            long rows = m.get("rows") instanceof java.math.BigDecimal d ? d.longValue() : -1;
            store.log()
                    .commit(AuditEvent.of(EventType.AUDIT_ARCHIVED, Outcome.ALLOW)
                            .principal(who)
                            .detailJson(detail(month, rows, String.valueOf(m.get("sha256")), out, List.of(), true))
                            .build());
        }
        return new ArchiveOutcome.AlreadyArchived(
                month.toString(), at, out, Partitions.archivedTable(month), !recorded);
    }

    private AuditEvent event(YearMonth month, Written w, Path out, AuditPrincipal who, boolean completed) {
        List<Object> nodes = new ArrayList<>();
        w.export().nodes().forEach((node, s) -> {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("node", node);
            n.put("first_seq", s.firstSeq());
            n.put("first_prev_hash", s.firstPrevHash());
            n.put("last_seq", s.lastSeq());
            n.put("last_hash", s.lastHash());
            nodes.add(n);
        });
        return AuditEvent.of(EventType.AUDIT_ARCHIVED, Outcome.ALLOW)
                .principal(who)
                .detailJson(detail(month, w.export().events(), w.sha256(), out.toString(), nodes, completed))
                .build();
    }

    private String detail(YearMonth month, long rows, String sha, String out, List<Object> nodes, boolean completed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("month", month.toString());
        m.put("rows", rows);
        m.put("file", fileName(month));
        m.put("sha256", sha);
        m.put("out", out);
        m.put("table", Partitions.archivedTable(month));
        m.put("db_role", store.database().config().ownerUser());
        m.put("nodes", nodes);
        if (completed) {
            m.put("recorded_on_rerun", true);
        }
        return Json.write(m);
    }

    private static String describe(VerifyResult r) {
        return r instanceof VerifyResult.Broken b ? b.kind() + ": " + b.message() : r.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeDurably(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        fsync(tmp);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Forces a file, or a folder's entries, to disk. */
    static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
