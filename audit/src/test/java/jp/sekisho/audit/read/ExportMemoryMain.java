package jp.sekisho.audit.read;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.verify.ExportFileVerifier;
import jp.sekisho.audit.verify.VerifyResult;

/**
 * Run in a JVM with a small heap by {@link ExportMemoryTest}: exports the whole store as JSON Lines,
 * then verifies the file offline. Args: url appUser keyFile outFile expectedMinEvents.
 * Exit 0 when both completed and the chain verified.
 */
public final class ExportMemoryMain {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        Path key = Path.of(args[2]);
        Path out = Path.of(args[3]);
        long expected = Long.parseLong(args[4]);
        AuditSigningKey k = AuditSigningKey.loadOrCreate(key);
        long t0 = System.nanoTime();
        long n;
        try (Database db = Database.open(StoreConfig.external(url, user, null).withOwner("postgres", null));
                PostgresAuditLog log =
                        PostgresAuditLog.open(db, AuditSettings.defaults("exporter", key.getParent()), k);
                OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            n = new AuditReader(db.dataSource(), log)
                    .export(
                            AuditQuery.all().node("bulk"),
                            new AuditPrincipal("CN=memory-test", null, null),
                            ExportFormat.JSONL,
                            os);
        }
        long exportMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        VerifyResult v = ExportFileVerifier.verify(out, k.publicKey());
        long verifyMs = (System.nanoTime() - t1) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                "exported %d events (%d MB) in %d ms, verified offline in %d ms: %s; max heap %d MB, peak heap used %d MB%n",
                n,
                Files.size(out) >> 20,
                exportMs,
                verifyMs,
                v,
                Runtime.getRuntime().maxMemory() >> 20,
                peak >> 20);
        System.exit(n >= expected && v instanceof VerifyResult.Ok ? 0 : 1);
    }
}
