package jp.sekisho.audit.cli;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.read.ExportFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code audit export}: streams matching events, with their chain fields and checkpoints, to a file. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "監査ログを JSON Lines（検証用）または CSV（閲覧用、Excel でそのまま開けます）で書き出します。"
                    + " Export audit events as JSON Lines (the proof: with chain fields and signed checkpoints,"
                    + " verifiable offline by audit verify --file) or CSV (for reading: Excel opens it as it is, UTF-8"
                    + " with BOM, times in Japan time, events only, no checkpoints)."
        })
final class ExportCommand extends StoreCommand {

    @Option(
            names = "--config",
            paramLabel = "GATEWAY.yml",
            description = "この設定ファイルのゲートウェイが使うストアから書き出します / export from the store this gateway configuration uses")
    Path config;

    @Mixin
    GatewayAccess remote = new GatewayAccess();

    @Option(names = "--format", defaultValue = "jsonl", description = "形式: jsonl（既定）または csv / jsonl (default) or csv")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "書き出すファイル / the file to write")
    Path out;

    @Mixin
    QueryOptions filters = new QueryOptions();

    @Override
    int execute() throws java.io.IOException, InputException {
        ExportFormat f = switch (format.toLowerCase(Locale.ROOT)) {
            case "jsonl" -> ExportFormat.JSONL;
            case "csv" -> ExportFormat.CSV;
            default -> throw new InputException("--format は jsonl か csv です。 --format must be jsonl or csv");
        };
        if ((config == null) == !remote.given()) {
            throw new InputException("--config GATEWAY.yml か --gateway URL --identity FILE のどちらかを指定してください。"
                    + " give either --config GATEWAY.yml or --gateway URL --identity FILE");
        }
        var query = filters.toQuery();
        Path target = out.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), ".export-", ".part");
        if (remote.given()) {
            try {
                remote.download(
                        "export?format=" + format.toLowerCase(Locale.ROOT)
                                + (filters.toParams().isEmpty() ? "" : "&" + filters.toParams()),
                        tmp);
                ExportEnd end = ExportEnd.of(tmp, f);
                if (end instanceof ExportEnd.Cut cut) {
                    throw new StreamCut(cut.events(), "no end record; " + out + " left as it was");
                }
                if (end instanceof ExportEnd.Failed failed) {
                    throw new AuditUnavailableException("ゲートウェイがエクスポートを途中で止めました（" + out
                            + " は元のまま）。 the gateway stopped the export after " + failed.events() + " events: "
                            + failed.reason() + ": " + failed.message() + ". 次に: 後でもう一度エクスポートしてください。"
                            + " next: export again later.");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                out().println("監査イベント " + end.events() + " 件をエクスポートしました。 exported " + end.events() + " events ("
                        + Files.size(target) + " bytes) from " + remote.gateway + " to " + out);
                out().flush();
                return AuditCommand.OK;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        var cfg = config(config);
        try (AuditStore store = open(cfg)) {
            long n;
            try (OutputStream os = Files.newOutputStream(tmp)) {
                n = store.reader().export(query, localOperator(), f, os);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            out().println("監査イベント " + n + " 件をエクスポートしました。 exported " + n + " events to " + out
                    + (query.node(null).isComplete()
                            ? ""
                            : " (絞り込みあり: オフライン検証は欠番を報告します / filtered: an offline verify will report" + " the gaps)"));
            jp.sekisho.audit.archive.ArchivedMonths.notices(store.database().dataSource(), query.from(), query.to())
                    .forEach(err()::println);
            err().flush();
            out().flush();
            return AuditCommand.OK;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
