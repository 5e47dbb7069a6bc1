package jp.sekisho.audit.archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import jp.sekisho.audit.chain.AuditSigningKey;
import jp.sekisho.audit.config.AuditConfig;
import jp.sekisho.audit.db.Database;
import jp.sekisho.audit.store.PostgresAuditLog;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.audit.support.TestEvents;

/**
 * One node's chain through two past months into the live one, written by the real log with its clock set back:
 * seq 1..7 in {@code older}, 8..13 in {@code last}, 14..18 now; a checkpoint every 5 events, so both months end
 * between checkpoints.
 */
final class ArchiveSeed {

    private ArchiveSeed() {}

    /** A clock that can be set back to a past month and forward again while the log runs. */
    static final class ShiftedClock extends Clock {
        volatile Duration shift = Duration.ZERO;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }
    }

    /** Writes DIR/gateway.yml for {@code pg} (owner postgres, application role separate) and the events. */
    static Path seed(ExternalPostgres pg, Path dir, YearMonth older, YearMonth last) throws Exception {
        Path yaml = dir.resolve("gateway.yml");
        Files.writeString(yaml, """
                node-id: arch-gw
                data-dir: data
                store:
                  url: %s
                  user: %s
                  password: ""
                  owner-user: postgres
                audit:
                  checkpoint-every: 5
                  checkpoint-seconds: 3600
                  write-timeout: 2s
                """.formatted(pg.url(), ExternalPostgres.APP_ROLE));
        AuditConfig cfg = AuditConfig.fromGatewayYaml(yaml);
        ShiftedClock clock = new ShiftedClock();
        try (Database db = Database.open(cfg.store())) {
            AuditSigningKey key = AuditSigningKey.loadOrCreate(cfg.audit().signingKey());
            try (PostgresAuditLog log = PostgresAuditLog.open(db.dataSource(), cfg.audit(), key, clock)) {
                clock.shift = Duration.between(
                        Instant.now(), older.atDay(10).atStartOfDay().toInstant(ZoneOffset.UTC));
                for (int i = 0; i < 7; i++) {
                    log.commit(TestEvents.allowed(i));
                }
                clock.shift = Duration.between(
                        Instant.now(), last.atDay(10).atStartOfDay().toInstant(ZoneOffset.UTC));
                for (int i = 7; i < 13; i++) {
                    log.commit(TestEvents.denied(i, "CIDR_MISMATCH", "198.51.100." + i));
                }
                clock.shift = Duration.ZERO;
                for (int i = 13; i < 18; i++) {
                    log.commit(TestEvents.allowed(i));
                }
            }
        }
        return yaml;
    }
}
