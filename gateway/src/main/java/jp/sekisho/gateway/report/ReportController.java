package jp.sekisho.gateway.report;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.io.Writable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.config.ReportSettings;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The council's reports on the admin listener (docs/reports.md): one approval's, or a year's across approvals,
 * as HTML, PDF or Markdown, for the secretariat and security staff. Each read is audited (AUDIT_READ, op
 * report) before it is made; the answer is streamed.
 */
@AdminApi
@Controller("/api/v1/reports")
@RequiresRole({Role.SECRETARIAT, Role.AUDITOR})
@ExecuteOn(TaskExecutors.BLOCKING)
public final class ReportController {

    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private final ReportService reports;
    private final ReportSettings settings;

    public ReportController(ReportService reports, GatewayConfig config) {
        this.reports = reports;
        this.settings = ReportSettings.from(config.raw().get("report"), config.source());
    }

    @Get("/approvals/{ref}")
    public HttpResponse<?> approval(
            HttpRequest<?> request,
            Principal principal,
            String ref,
            @Nullable @QueryValue String from,
            @Nullable @QueryValue String to,
            @Nullable @QueryValue String format,
            @Nullable @QueryValue String lang) {
        Optional<Approval> a = reports.find(ref);
        if (a.isEmpty()) {
            return Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "承認がありません / no approval " + ref);
        }
        ReportFormat f;
        ReportPeriod p;
        try {
            f = ReportFormat.parse(format);
            boolean own = (from == null || from.isBlank()) && (to == null || to.isBlank());
            p = own
                    ? null
                    : ReportPeriod.parse(
                            from,
                            to,
                            new ReportPeriod(a.get().validFrom(), a.get().validUntil()));
            english(lang);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        Optional<HttpResponse<?>> font = fontProblem(request, f);
        if (font.isPresent()) {
            return font.get();
        }
        Report r = reports.approval(a.get(), p, f.extension(), Callers.of(request, principal));
        return answer(r, f, english(lang), "report-" + safeName(a.get().ref()));
    }

    /** The yearly report: {@code year} is a calendar year, or {@code period} with from and to. */
    @Get("/years/{year}")
    public HttpResponse<?> year(
            HttpRequest<?> request,
            Principal principal,
            String year,
            @Nullable @QueryValue String format,
            @Nullable @QueryValue String lang) {
        ReportFormat f;
        ReportPeriod p;
        int y;
        try {
            if (!year.matches("\\d{4}")) {
                throw new IllegalArgumentException("year: 4桁の西暦年です / year must be four digits, e.g. 2026");
            }
            y = Integer.parseInt(year);
            p = ReportPeriod.year(y);
            f = ReportFormat.parse(format);
            english(lang);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        return period(request, principal, p, y, f, lang);
    }

    /** The report across approvals for any period ({@code from} and {@code to}, Tokyo dates, both included). */
    @Get("/period")
    public HttpResponse<?> range(
            HttpRequest<?> request,
            Principal principal,
            @Nullable @QueryValue String from,
            @Nullable @QueryValue String to,
            @Nullable @QueryValue String format,
            @Nullable @QueryValue String lang) {
        ReportFormat f;
        ReportPeriod p;
        try {
            if (from == null || to == null || from.isBlank() || to.isBlank()) {
                throw new IllegalArgumentException("from と to が必要です / from and to are required");
            }
            p = ReportPeriod.parse(from, to, null);
            f = ReportFormat.parse(format);
            english(lang);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        return period(request, principal, p, 0, f, lang);
    }

    private HttpResponse<?> period(
            HttpRequest<?> request, Principal principal, ReportPeriod p, int y, ReportFormat f, String lang) {
        Optional<HttpResponse<?>> font = fontProblem(request, f);
        if (font.isPresent()) {
            return font.get();
        }
        Report r = reports.year(p, y, f.extension(), Callers.of(request, principal));
        return answer(r, f, english(lang), y > 0 ? "report-" + y : "report-" + p.from() + "-" + p.to());
    }

    private Optional<HttpResponse<?>> fontProblem(HttpRequest<?> request, ReportFormat f) {
        if (f == ReportFormat.PDF && (settings.font() == null || !Files.isReadable(settings.font()))) {
            return Optional.of(Problem.response(
                    request,
                    Reason.REPORT_FONT_MISSING,
                    "PDF 用フォントが読めません: " + settings.font() + "（fonts-ipaexfont-gothic を入れるか report.font を設定）"
                            + " / cannot read the PDF font " + settings.font()
                            + " (install fonts-ipaexfont-gothic or set report.font)"));
        }
        return Optional.empty();
    }

    private HttpResponse<?> answer(Report r, ReportFormat f, boolean english, String name) {
        ReportView v = new ReportView(r, english);
        Writable body = new Writable() {
            @Override
            public void writeTo(Writer out) throws IOException {
                switch (f) {
                    case HTML -> HtmlReport.write(v, out);
                    case MD -> MarkdownReport.write(v, out);
                    case PDF -> throw new IOException("a PDF is bytes: Micronaut writes it with writeTo(OutputStream)");
                }
            }

            @Override
            public void writeTo(OutputStream out, @Nullable Charset charset) throws IOException {
                switch (f) {
                    case PDF -> PdfReport.write(v, settings.font(), out);
                    case HTML -> HtmlReport.write(v, writer(out));
                    case MD -> MarkdownReport.write(v, writer(out));
                }
            }
        };
        // the page runs nothing and loads nothing: its only style is inline, so a value that escaped the
        // escaping still could not run or fetch anything
        return HttpResponse.ok(body)
                .contentType(MediaType.of(f.mediaType()))
                .header("Content-Disposition", "inline; filename=\"" + name + "." + f.extension() + "\"")
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CSP);
    }

    private static Writer writer(OutputStream out) {
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    }

    /** lang: ja (default) or en. */
    private static boolean english(String lang) {
        if (lang == null || lang.isEmpty() || lang.equals("ja")) {
            return false;
        }
        if (lang.equals("en")) {
            return true;
        }
        throw new IllegalArgumentException("lang: ja か en です / lang must be ja or en");
    }

    /** A file name from a reference: ASCII letters and digits kept, anything else as its code point. */
    static String safeName(String ref) {
        StringBuilder b = new StringBuilder();
        ref.codePoints().forEach(c -> {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                b.appendCodePoint(c);
            } else {
                b.append(Integer.toHexString(c));
            }
        });
        return b.length() > 100 ? b.substring(0, 100) : b.toString();
    }
}
