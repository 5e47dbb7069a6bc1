package jp.sekisho.client.report;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.http.RemoteCommand;
import jp.sekisho.gateway.approval.RefNumbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sekisho report}: the council report (運用状況報告) of one approval, of a year or of a period, fetched from
 * the gateway's admin listener and written to a file (docs/reports.md). The file appears complete or not at all.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "審議会向けの運用状況報告（承認ごと、年次、期間）を HTML・PDF・Markdown"
                    + " で書き出します（事務局と監査担当のみ）。 Writes the council's operation report: one approval's"
                    + " (--approval REF, its validity or --from/--to), a year's across approvals (--year YYYY) or a"
                    + " period's (--from and --to), as HTML, PDF or Markdown. Secretariat and auditor only."
        })
public final class ReportCommand extends RemoteCommand {

    @Option(names = "--approval", paramLabel = "REF", description = "承認番号 / approval reference, e.g. 2総政第158号")
    String approval;

    @Option(names = "--year", paramLabel = "YYYY", description = "年（暦年） / a calendar year, e.g. 2026")
    Integer year;

    @Option(
            names = "--from",
            paramLabel = "DATE",
            description = "開始日（日本時間） / first day (Japan): 令和8年4月1日, R8.4.1 or 2026-04-01")
    String from;

    @Option(names = "--to", paramLabel = "DATE", description = "終了日（その日を含む） / last day, included (same forms)")
    String to;

    @Option(
            names = "--format",
            defaultValue = "html",
            description = "形式: html（既定）、pdf または md / html (default), pdf or md")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "書き出すファイル / the file to write")
    Path out;

    @Option(
            names = "--lang",
            paramLabel = "ja|en",
            description = "言語: ja（既定）は日本語が先、en は英語が先 / en puts English first (default ja)")
    String lang;

    @Override
    protected void run() throws Exception {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("html") && !f.equals("pdf") && !f.equals("md")) {
            throw new CliException(ExitCode.USAGE, "--format は html、pdf、md のいずれかです / --format must be html, pdf or md");
        }
        if (lang != null && !lang.equals("ja") && !lang.equals("en")) {
            throw new CliException(ExitCode.USAGE, "--lang は ja か en です / --lang must be ja or en");
        }
        String path = path(f);
        GatewayClient client = client();
        Path target = out.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), ".report-", ".part");
        try {
            try (GatewayClient.Streamed r = client.open(HttpRequest.newBuilder(client.resolve(path))
                    .timeout(Duration.ofMinutes(10))
                    .GET()
                    .build())) {
                InputStream in = r.body();
                if (r.status() != 200) {
                    String body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                    throw GatewayClient.problem(new GatewayClient.Response(r.status(), body));
                }
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw client.unavailable(e);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        out().println("報告書を書き出しました / report written: " + Printable.of(target.toString()) + " (" + Files.size(target)
                + " bytes)");
    }

    /** The API path for the options given; exactly one kind of report. */
    String path(String f) {
        String q = "format=" + f + (lang == null ? "" : "&lang=" + lang);
        if (approval != null) {
            if (year != null) {
                throw usage();
            }
            return "api/v1/reports/approvals/" + enc(RefNumbers.normalise(approval)) + "?" + q
                    + (from == null ? "" : "&from=" + enc(from)) + (to == null ? "" : "&to=" + enc(to));
        }
        if (year != null) {
            if (from != null || to != null) {
                throw usage();
            }
            return "api/v1/reports/years/" + year + "?" + q;
        }
        if (from != null && to != null) {
            return "api/v1/reports/period?from=" + enc(from) + "&to=" + enc(to) + "&" + q;
        }
        throw usage();
    }

    private static CliException usage() {
        return new CliException(
                ExitCode.USAGE,
                "--approval REF（--from/--to 可）、--year YYYY、または --from と --to のどれか一つを指定してください"
                        + " / give one of --approval REF (with --from/--to if you like), --year YYYY, or --from and --to");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
