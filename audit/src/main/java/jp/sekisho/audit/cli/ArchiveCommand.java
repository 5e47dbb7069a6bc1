package jp.sekisho.audit.cli;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.archive.ArchiveOutcome;
import jp.sekisho.audit.archive.ArchiveRefused;
import jp.sekisho.audit.archive.MonthArchiver;
import jp.sekisho.audit.db.Database;
import jp.sekisho.cli.JapaneseDates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code audit archive}: a finished month exported, verified, then detached (never dropped) as the owner role. */
@Command(
        name = "archive",
        mixinStandardHelpOptions = true,
        description = {
            "終わった月の監査ログを DIR に書き出して検証し、その月のパーティションを切り離します（削除はしません）。"
                    + " Archive a finished month: write its export and signed checkpoints to DIR, verify them, fsync,"
                    + " then detach the month's partition (kept as audit_event_YYYYMM_archived, never dropped). Runs"
                    + " as store.owner-user. Oldest month first; a re-run of an archived month says when it was"
                    + " archived."
        })
final class ArchiveCommand extends StoreCommand {

    @Option(
            names = "--config",
            required = true,
            paramLabel = "GATEWAY.yml",
            description = "アーカイブ対象のストアを使うゲートウェイの設定ファイル / the gateway configuration whose store is archived")
    Path config;

    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "対象の月（UTC） / the month (UTC)")
    String month;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "アーカイブの書き出し先フォルダ / the archive folder")
    Path out;

    Clock clock = Clock.systemUTC();

    @Override
    int execute() throws java.io.IOException, InputException {
        YearMonth m;
        try {
            m = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            throw new InputException("--month は YYYY-MM で指定してください / --month must be YYYY-MM, e.g. 2026-11");
        }
        var cfg = config(config);
        try (AuditStore store = open(cfg)) {
            ArchiveOutcome o = new MonthArchiver(store, clock).archive(m, out, localOperator());
            if (o instanceof ArchiveOutcome.Archived a) {
                out().println("アーカイブしました / archived " + a.month() + ": " + a.rows() + " events, "
                        + a.checkpoints() + " signed checkpoints, " + a.file() + " (SHA-256 " + a.sha256()
                        + "); partition detached as " + a.table());
            } else if (o instanceof ArchiveOutcome.AlreadyArchived a) {
                out().println(a.month() + " はアーカイブ済みです / already archived at "
                        + (a.at() == null ? "?" : JapaneseDates.timeJst(a.at())) + ", see " + a.out() + " (table "
                        + a.table() + ")"
                        + (a.auditedNow() ? "; its AUDIT_ARCHIVED event was missing and is now recorded" : ""));
            }
            out().flush();
            return AuditCommand.OK;
        } catch (ArchiveRefused e) {
            return fail(AuditCommand.FAILED, e.getMessage());
        } catch (SQLException e) {
            return fail(AuditCommand.FAILED, "所有者ロールで実行できませんでした / as the owner role: " + Database.oneLine(e));
        }
    }
}
