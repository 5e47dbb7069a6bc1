package jp.sekisho.gateway.approval;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.input.Ids;

/**
 * The console's approvals pages (GET): the list, one approval's detail, and the new-consultation
 * form. Every role that reads approvals sees the list and the detail; only the secretariat gets
 * the forms (the templates leave them out for the others, and admission refuses their POSTs).
 */
@AdminApi
@Controller("/console/approvals")
public final class ApprovalPages {

    private final ApprovalService service;
    private final ApprovalViews views;
    private final ConsolePage page;

    public ApprovalPages(ApprovalService service, ApprovalViews views, ConsolePage page) {
        this.service = service;
        this.views = views;
        this.page = page;
    }

    @Get
    @Produces("text/html")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> list(HttpRequest<?> request, Principal principal) {
        return views.list(request, principal);
    }

    @Get("/new")
    @Produces("text/html")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> newConsultation(HttpRequest<?> request, Principal principal) {
        return views.consultation(request, principal, ConsultationForm.empty(), null);
    }

    @Get("/{ref}")
    @Produces("text/html")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> detail(HttpRequest<?> request, Principal principal, String ref) {
        if (!Ids.APPROVAL_REF.valid(ref)) {
            return page.error(
                    request,
                    principal,
                    Reason.ID_INVALID,
                    400,
                    Ids.APPROVAL_REF.problem(ref).orElse(""));
        }
        return service.load(ref)
                .<HttpResponse<?>>map(s -> views.detail(request, principal, s, DecisionForm.EMPTY, null, null))
                .orElseGet(() -> page.error(request, principal, Reason.APPROVAL_UNKNOWN, 404, unknown(ref)));
    }

    static String unknown(String ref) {
        return "承認 " + ref + " はありません。一覧から選んでください / there is no approval " + ref + "; choose one from the list";
    }
}
