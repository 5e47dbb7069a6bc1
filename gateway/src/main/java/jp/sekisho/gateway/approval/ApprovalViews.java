package jp.sekisho.gateway.approval;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.ConsoleView;
import jp.sekisho.gateway.console.templates.approvals.JtedetailGenerated;
import jp.sekisho.gateway.console.templates.approvals.JtelistGenerated;
import jp.sekisho.gateway.console.templates.approvals.JtenewGenerated;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Principal;

/**
 * Renders the approvals pages for the GET pages and for the forms that come back (refused, or a
 * preview): one place that assembles each page's data, so a re-rendered form shows exactly what
 * its GET page shows.
 */
@Singleton
public final class ApprovalViews {

    private final ApprovalService service;
    private final ConsolePage page;
    private final Clock clock;

    public ApprovalViews(ApprovalService service, ConsolePage page, Clock clock) {
        this.service = service;
        this.page = page;
        this.clock = clock;
    }

    MutableHttpResponse<String> list(HttpRequest<?> request, Principal principal) {
        Instant now = clock.instant();
        Map<String, ApprovalUsage> usage = service.usageByRef();
        List<ApprovalRow> rows = service.listStored().stream()
                .map(s -> ApprovalRow.of(
                        s,
                        now,
                        usage.getOrDefault(s.approval().ref(), ApprovalUsage.NONE),
                        service.deletionReportOverdue(s.approval())))
                .toList();
        return page.render(
                request, principal, "approvals.title", (v, out) -> JtelistGenerated.render(out, null, v, rows));
    }

    MutableHttpResponse<String> consultation(
            HttpRequest<?> request, Principal principal, ConsultationForm form, @Nullable PageError error) {
        List<DataItem> catalogue = service.dataItems().all();
        ConsoleView v = page.view(request, principal, "approvals.new.title");
        return page.render(
                request,
                v,
                error == null ? 200 : error.status(),
                (view, out) -> JtenewGenerated.render(out, null, view, form, catalogue, error));
    }

    MutableHttpResponse<String> detail(
            HttpRequest<?> request,
            Principal principal,
            StoredApproval s,
            DecisionForm form,
            @Nullable DecisionPreview preview,
            @Nullable PageError error) {
        Approval a = s.approval();
        DataItems catalogue = service.dataItems();
        List<DataItem> items = a.dataItems().stream()
                .map(code -> catalogue.find(code).orElse(new DataItem(code, code, code)))
                .toList();
        ApprovalDetail d = new ApprovalDetail(
                a,
                s.tamper(),
                ApprovalText.state(s, clock.instant()),
                items,
                service.usage(a.ref()),
                service.history(a.ref()),
                form,
                preview,
                error,
                service.deletionReportOverdue(a));
        ConsoleView base = page.view(request, principal, "approvals.detail.title");
        ConsoleView v = new ConsoleView(
                base.principal(),
                base.m(),
                base.csrf(),
                base.path(),
                a.ref() + " — " + base.title(),
                base.nav(),
                base.notice());
        return page.render(
                request,
                v,
                error == null ? 200 : error.status(),
                (view, out) -> JtedetailGenerated.render(out, null, view, d));
    }

    /**
     * A refusal found by the page, not by the service: the status and reason go to admission, which
     * audits the request with them.
     */
    static void refusal(HttpRequest<?> request, PageError e) {
        Requests.refusal(request, e.reason().code(), e.message());
    }

    /** A refusal the service gave: it already wrote its audit event, so admission only counts it. */
    static void refusedByService(HttpRequest<?> request, PageError e) {
        Requests.refusal(request, e.reason().code(), e.message());
        Requests.markAudited(request);
    }
}
