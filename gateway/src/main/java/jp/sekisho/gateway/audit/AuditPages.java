package jp.sekisho.gateway.audit;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.AuditReader;
import jp.sekisho.audit.read.Cursor;
import jp.sekisho.audit.read.EventCount;
import jp.sekisho.audit.read.EventPage;
import jp.sekisho.audit.read.ExportFormat;
import jp.sekisho.audit.read.ExportSnapshot;
import jp.sekisho.audit.read.ReadSession;
import jp.sekisho.audit.verify.VerifyResult;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.ConsoleForm;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.ConsoleView;
import jp.sekisho.gateway.console.Csrf;
import jp.sekisho.gateway.console.templates.audit.JteeventGenerated;
import jp.sekisho.gateway.console.templates.audit.JtelistGenerated;
import jp.sekisho.gateway.console.templates.audit.JteverifyGenerated;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The console's audit log for security staff (auditor role only): the filtered list newest first,
 * one event's detail, the filtered set as a download, and the integrity check. Every read is
 * recorded by the audit module's reader (AUDIT_READ), like the API's.
 */
@AdminApi
@Controller("/console/audit")
@RequiresRole(Role.AUDITOR)
public final class AuditPages {

    /** Events on one page of the list. */
    static final int PAGE = 50;

    /** Counted exactly up to this many: "10,000件以上 / more than 10,000 events" beyond. */
    static final int COUNT_CAP = AuditReader.DEFAULT_COUNT_CAP;

    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm", Locale.ROOT);

    private final AuditStore store;
    private final ConsolePage page;
    private final Csrf csrf;

    public AuditPages(AuditStore store, ConsolePage page, Csrf csrf) {
        this.store = store;
        this.page = page;
        this.csrf = csrf;
    }

    /**
     * One page of the filtered log, newest first, with how many events match (exact up to {@link
     * #COUNT_CAP}) and the next page's link when the page was cut. The page and the count are read
     * under one read session, closed at once: opening the page records exactly one AUDIT_READ.
     */
    @Get
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<?> list(HttpRequest<?> request, Principal principal) {
        long t0 = System.nanoTime();
        AuditFilter filter = AuditFilter.NONE;
        AuditQuery q;
        try {
            filter = AuditFilter.of(request.getParameters());
            q = filter.query().newestFirst().limit(PAGE);
            String before = request.getParameters().get("before");
            if (before != null && !before.isBlank()) {
                q = q.before(Cursor.parse("before", before));
            }
        } catch (IllegalArgumentException e) {
            return refused(request, principal, filter, e.getMessage());
        }
        AuditReader reader = store.reader();
        ReadSession session = reader.openSession(principal.toAudit(), "console list", q);
        EventPage found;
        EventCount count;
        try {
            found = reader.search(q, session);
            count = reader.count(q, COUNT_CAP, session);
        } finally {
            reader.closeSession(session.id(), principal.toAudit());
        }
        List<AuditRow> rows = found.events().stream().map(AuditRow::of).toList();
        long t1 = System.nanoTime();
        // the next page keeps this page's window: a relative "since" becomes the time it meant now
        AuditFilter next = filter.pinned(q);
        String n = String.format(Locale.ROOT, "%,d", count.value());
        AuditListView p = new AuditListView(
                filter,
                rows,
                null,
                found.more()
                        ? next.link("/console/audit", "before=" + found.next().token())
                        : null,
                filter.link("/console/audit/export", "format=csv"),
                filter.link("/console/audit/export", "format=jsonl"),
                filter.link("/console/audit/live", ""),
                null,
                null);
        MutableHttpResponse<String> r = page.render(request, principal, "audit.title", (v, out) -> {
            AuditListView withTotal = p.withTotal(v.m().t(count.capped() ? "audit.total.capped" : "audit.total", n));
            JtelistGenerated.render(out, null, v, withTotal);
        });
        return serverTiming(r, t0, t1);
    }

    /** One event, every field of it, by its place in its node's chain. */
    @Get("/event")
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<?> event(
            HttpRequest<?> request,
            Principal principal,
            @Nullable @QueryValue String node,
            @Nullable @QueryValue String seq) {
        long s;
        try {
            s = Long.parseLong(seq == null ? "" : seq.strip());
            if (node == null || node.isBlank() || s < 1) {
                throw new NumberFormatException();
            }
            AuditQuery.all().node(node); // checks the node id's length and characters
        } catch (IllegalArgumentException e) {
            return page.error(
                    request,
                    principal,
                    Reason.QUERY_INVALID,
                    400,
                    "node と seq (1以上の整数) を指定してください / give node and seq (an integer from 1)");
        }
        List<RecordedEvent> found = store.reader()
                .search(AuditQuery.all().node(node).after(node, s - 1).limit(1), principal.toAudit());
        if (found.isEmpty() || found.get(0).seq() != s) {
            return page.error(
                    request,
                    principal,
                    Reason.NOT_FOUND,
                    404,
                    "この監査記録はありません / there is no audit event node=" + jp.sekisho.cli.Printable.of(node) + " seq=" + s);
        }
        EventDetail d = EventDetail.of(found.get(0));
        return page.render(
                request, principal, "audit.event.title", (v, out) -> JteeventGenerated.render(out, null, v, d));
    }

    /**
     * The filtered set as a download: CSV to read in a spreadsheet, JSON Lines to keep as proof
     * ({@code sekisho audit verify --file}). Streamed from one snapshot like the API's export.
     */
    @Get("/export")
    public HttpResponse<?> export(HttpRequest<?> request, Principal principal, @Nullable @QueryValue String format) {
        AuditQuery q;
        ExportFormat f;
        try {
            q = AuditFilter.of(request.getParameters()).query();
            f = AuditQueryParams.format(format);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        // audited and its snapshot taken here: a store that is down is a 503 before the download starts
        ExportSnapshot snapshot = store.reader().openExport(q, principal.toAudit(), f);
        String name = "sekisho-audit-" + FILE_TIME.format(ZonedDateTime.ofInstant(Instant.now(), JapaneseDates.TOKYO))
                + (f == ExportFormat.CSV ? ".csv" : ".jsonl");
        return HttpResponse.ok(ExportStream.of(snapshot, f).attach(name))
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff");
    }

    /** Verifies every node's chain against the signed checkpoints and shows the verdict. */
    @Post("/verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<?> verify(
            HttpRequest<?> request, Principal principal, @Nullable @Body Map<String, Object> body) {
        // an empty form is a form without its token (CSRF_REJECTED), not an unreadable request
        ConsoleForm.verified(body, principal, csrf);
        VerifyResult r = store.reader()
                .verify(
                        jp.sekisho.audit.keys.KeyRegistry.keySet(
                                store.database().dataSource()),
                        null,
                        principal.toAudit(),
                        false);
        return page.render(
                request, principal, "audit.verify.title", (v, out) -> JteverifyGenerated.render(out, null, v, r));
    }

    /** A filter that cannot be read: the form again with the reason in {@code #error}, 400, audited. */
    private HttpResponse<?> refused(HttpRequest<?> request, Principal principal, AuditFilter filter, String message) {
        Requests.refusal(request, Reason.QUERY_INVALID.code(), message);
        AuditListView p = new AuditListView(
                filter,
                List.of(),
                null,
                null,
                "/console/audit/export?format=csv",
                "/console/audit/export?format=jsonl",
                "/console/audit/live",
                Reason.QUERY_INVALID,
                message);
        ConsoleView view = page.view(request, principal, "audit.title");
        return page.render(request, view, 400, (v, out) -> JtelistGenerated.render(out, null, v, p));
    }

    /** {@code Server-Timing: db;dur=…, render;dur=…} (milliseconds), read by the benchmark. */
    private static MutableHttpResponse<String> serverTiming(MutableHttpResponse<String> r, long t0, long t1) {
        long t2 = System.nanoTime();
        return r.header(
                "Server-Timing",
                String.format(Locale.ROOT, "db;dur=%.1f, render;dur=%.1f", (t1 - t0) / 1e6, (t2 - t1) / 1e6));
    }
}
