package jp.sekisho.gateway.audit;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditStore;
import jp.sekisho.audit.RecordedEvent;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.read.AuditQuery;
import jp.sekisho.audit.read.Cursor;
import jp.sekisho.audit.read.EventPage;
import jp.sekisho.audit.read.ReadSession;
import jp.sekisho.audit.read.ReadSessionRefused;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.Lang;
import jp.sekisho.gateway.console.Messages;
import jp.sekisho.gateway.console.templates.audit.JteliveGenerated;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The audit log as it happens. Opening the page opens one read session, which records the one
 * AUDIT_READ (purpose "live view" and the filter); live.js then polls {@code /events} with the
 * session's id every few seconds and those reads record nothing more. A poll with a session that is
 * not the caller's, has expired or ended with a restart is refused 403 AUDIT_SESSION_INVALID and
 * audited: the page has to be opened again, which records a new AUDIT_READ.
 */
@AdminApi
@Controller("/console/audit/live")
@RequiresRole(Role.AUDITOR)
public final class AuditLivePages {

    static final int POLL_SECONDS = 3;
    /** Rows shown when the page opens, and the most one poll reads per query. */
    static final int BATCH = 50;
    /** Events one poll returns at most; beyond it the answer says {@code gap} (never a silent cut). */
    static final int MAX_PER_POLL = 500;
    /** Rows the table keeps. */
    static final int KEEP = 500;
    /**
     * How far back a poll looks again before its cursor: an event's time is taken when it is recorded,
     * and a batch may be committed a moment after a later time was read. live.js drops rows it has.
     */
    static final java.time.Duration OVERLAP = java.time.Duration.ofSeconds(10);

    private final AuditStore store;
    private final ConsolePage page;

    public AuditLivePages(AuditStore store, ConsolePage page) {
        this.store = store;
        this.page = page;
    }

    @Get
    @Produces(MediaType.TEXT_HTML)
    public HttpResponse<?> live(HttpRequest<?> request, Principal principal) {
        AuditFilter filter;
        AuditQuery q;
        try {
            filter = AuditFilter.of(request.getParameters());
            q = filter.query();
        } catch (IllegalArgumentException e) {
            return page.error(request, principal, Reason.QUERY_INVALID, 400, e.getMessage());
        }
        ReadSession session = store.reader().openSession(principal.toAudit(), "live view", q);
        EventPage first = store.reader().search(q.filters().newestFirst().limit(BATCH), session);
        List<AuditRow> rows = first.events().stream().map(AuditRow::of).toList();
        String after =
                first.events().isEmpty() ? "" : Cursor.of(first.events().get(0)).token();
        AuditLiveView p = new AuditLiveView(
                filter, rows, session.id(), after, POLL_SECONDS, KEEP, filter.link("/console/audit", ""));
        return page.render(
                request, principal, "audit.live.title", (v, out) -> JteliveGenerated.render(out, null, v, p));
    }

    /**
     * Events newer than {@code after} (or the newest when absent), newest first, as JSON for live.js:
     * {@code {"events":[...],"after":"CURSOR","gap":false}}; {@code gap} is true when more arrived
     * than one poll returns.
     */
    @Get("/events")
    @Produces(MediaType.APPLICATION_JSON)
    public HttpResponse<?> events(HttpRequest<?> request, Principal principal) {
        AuditPrincipal reader = principal.toAudit();
        ReadSession session;
        try {
            session = store.reader().session(request.getParameters().get("session"), reader);
        } catch (ReadSessionRefused e) {
            return Problem.response(request, Reason.AUDIT_SESSION_INVALID, e.getMessage());
        }
        Cursor after;
        try {
            String token = request.getParameters().get("after");
            after = token == null || token.isBlank() ? null : Cursor.parse("after", token);
        } catch (IllegalArgumentException e) {
            return Problem.response(request, Reason.QUERY_INVALID, e.getMessage());
        }
        AuditQuery q = session.filter().newestFirst().limit(BATCH);
        if (after != null) {
            q = q.newerThan(new Cursor(after.time().minus(OVERLAP), after.node(), after.seq()));
        }
        List<RecordedEvent> found = new ArrayList<>();
        EventPage pageOf;
        try {
            pageOf = store.reader().search(q, session);
            found.addAll(pageOf.events());
            while (pageOf.more() && found.size() < MAX_PER_POLL) {
                pageOf = store.reader().search(q.before(pageOf.next()), session);
                found.addAll(pageOf.events());
            }
        } catch (ReadSessionRefused e) {
            return Problem.response(request, Reason.AUDIT_SESSION_INVALID, e.getMessage());
        }
        Cursor newest = found.isEmpty() ? after : Cursor.of(found.get(0));
        if (after != null && newest != null && isBefore(newest, after)) {
            newest = after; // only older, overlapping events came back: the cursor does not go back
        }
        Messages m = Messages.of(Lang.of(request));
        StringBuilder json = new StringBuilder("{\"events\":[");
        for (int i = 0; i < found.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            row(json, AuditRow.of(found.get(i)), m);
        }
        json.append("],\"after\":");
        Json.quote(json, newest == null ? "" : newest.token());
        json.append(",\"gap\":").append(pageOf.more()).append('}');
        return HttpResponse.ok(json.toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store");
    }

    private static boolean isBefore(Cursor a, Cursor b) {
        int t = a.time().compareTo(b.time());
        if (t != 0) {
            return t < 0;
        }
        int n = a.node().compareTo(b.node());
        return n != 0 ? n < 0 : a.seq() < b.seq();
    }

    private static void row(StringBuilder json, AuditRow r, Messages m) {
        json.append('{');
        field(json, "node", r.node()).append(',');
        json.append("\"seq\":").append(r.seq()).append(',');
        field(json, "time", r.time()).append(',');
        field(json, "type", r.type()).append(',');
        field(json, "outcome", r.outcome()).append(',');
        field(json, "outcomeLabel", m.t("audit.outcome." + r.outcome())).append(',');
        field(json, "reason", r.reason()).append(',');
        field(json, "subject", r.subject()).append(',');
        field(json, "source", r.source()).append(',');
        field(json, "route", r.route()).append(',');
        field(json, "approval", r.approval()).append(',');
        field(json, "transfer", r.transfer()).append(',');
        json.append("\"deny\":").append(r.deny()).append(',');
        field(json, "href", r.href());
        json.append('}');
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        Json.quote(json, name).append(':');
        return Json.quote(json, value);
    }
}
