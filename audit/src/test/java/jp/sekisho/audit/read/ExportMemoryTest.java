package jp.sekisho.audit.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditSettings;
import jp.sekisho.audit.config.StoreConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1,000,000-event JSON Lines export (and its offline verification) in a JVM limited to a 64 MB heap:
 * rows stream, nothing is loaded whole.
 */
class ExportMemoryTest {

    static final int EVENTS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void millionEventExportRunsInSixtyFourMegabytesOfHeap() throws Exception {
        try (ExternalPostgres pg = ExternalPostgres.create()) {
            Path key = dir.resolve("audit-signing.key");
            AuditSigningKey k = AuditSigningKey.loadOrCreate(key);
            try (Database db = Database.open(StoreConfig.external(pg.url(), ExternalPostgres.APP_ROLE, null)
                            .withOwner("postgres", null));
                    PostgresAuditLog log = PostgresAuditLog.open(
                            db, AuditSettings.defaults("bulk", dir).withQueueCapacity(50_000), k)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < EVENTS; ) {
                    try {
                        log.record(TestEvents.allowed(i));
                        i++;
                    } catch (AuditUnavailableException full) {
                        Thread.sleep(1); // the queue is full: let the writer catch up
                    }
                }
                log.flush(Duration.ofMinutes(2));
                System.out.printf("wrote %d events in %d ms%n", EVENTS, (System.nanoTime() - t0) / 1_000_000);
            }
            Process p = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx64m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ExportMemoryMain.class.getName(),
                            pg.url(),
                            ExternalPostgres.APP_ROLE,
                            key.toString(),
                            dir.resolve("export.jsonl").toString(),
                            Integer.toString(EVENTS)))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            System.out.println(out);
            assertEquals(0, code, out);
        }
    }
}
