package jp.sekisho.gateway.approval;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.console.ConsoleForm;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.console.Csrf;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.input.Ids;

/**
 * The approvals forms (POST, secretariat only): record a consultation, decide, confirm. Each reads
 * its form only once its CSRF token checks out; a success answers 303 to the approval's page with
 * a notice, a refusal shows the form again as it was filled in, with {@code #error} naming the
 * reason code, the field at fault and what to do next. A decision form's preview button shows what
 * the decision would do ({@code #effect}) and changes nothing. The service audits its own
 * refusals; admission audits those found here.
 */
@AdminApi
@Controller("/console/approvals")
@RequiresRole(Role.SECRETARIAT)
public final class ApprovalPageActions {

    private final ApprovalService service;
    private final ApprovalViews views;
    private final ConsolePage page;
    private final Csrf csrf;
    private final Clock clock;

    public ApprovalPageActions(ApprovalService service, ApprovalViews views, ConsolePage page, Csrf csrf, Clock clock) {
        this.service = service;
        this.views = views;
        this.page = page;
        this.csrf = csrf;
        this.clock = clock;
    }

    @Post
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("text/html")
    public HttpResponse<?> create(HttpRequest<?> request, Principal principal, @Body Map<String, Object> body) {
        ConsoleForm f = ConsoleForm.verified(body, principal, csrf);
        ConsultationForm form;
        try {
            form = ConsultationForm.of(f);
        } catch (IllegalArgumentException e) {
            return tooLong(request, principal, e);
        }
        if (form.read() instanceof ConsultationForm.Read.Bad bad) {
            ApprovalViews.refusal(request, bad.error());
            return views.consultation(request, principal, form, bad.error());
        }
        Approval draft = ((ConsultationForm.Read.Ok) form.read()).draft();
        DecisionOutcome outcome = service.create(draft, Callers.of(request, principal));
        if (outcome instanceof Refused r) {
            PageError e = PageError.of(r.reason(), r.message());
            ApprovalViews.refusedByService(request, e);
            return views.consultation(request, principal, form, e);
        }
        return ConsolePage.seeOther(
                ApprovalLinks.detail(((Applied) outcome).approval().ref()), "approval-created");
    }

    @Post("/{ref}/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("text/html")
    public HttpResponse<?> decide(
            HttpRequest<?> request, Principal principal, String ref, @Body Map<String, Object> body) {
        ConsoleForm f = ConsoleForm.verified(body, principal, csrf);
        DecisionForm form;
        boolean preview;
        try {
            form = DecisionForm.of(f);
            preview = "preview".equals(f.get("action"));
        } catch (IllegalArgumentException e) {
            return tooLong(request, principal, e);
        }
        Optional<StoredApproval> current = find(ref);
        if (current.isEmpty()) {
            return unknown(request, principal, ref);
        }
        StoredApproval s = current.get();
        Optional<Decision> d = Decision.parse(form.decision());
        if (d.isEmpty()) {
            PageError err = new PageError(Reason.UNKNOWN_DECISION, Decision.unknown(form.decision()), "decision");
            ApprovalViews.refusal(request, err);
            return views.detail(request, principal, s, form, null, err);
        }
        String stored = s.approval().ref();
        if (preview) {
            try {
                DecisionPreview effect = service.preview(stored, d.get(), clock.instant());
                return views.detail(request, principal, s, form, effect, null);
            } catch (DecisionRefusedException e) {
                PageError err = PageError.of(e.reason(), e.getMessage());
                ApprovalViews.refusal(request, err); // a preview records nothing itself: admission audits it
                return views.detail(request, principal, s, form, null, err);
            }
        }
        DecisionOutcome outcome = service.decide(
                stored,
                d.get(),
                form.reason(),
                conditions(s.approval(), form),
                form.override(),
                Callers.of(request, principal));
        return answer(request, principal, s, form, outcome);
    }

    /**
     * The conditions given at the decision (approve-with-conditions): the text as minuted at the
     * meeting, with the consultation's machine-checked flags kept; null when none were written.
     */
    private static Conditions conditions(Approval a, DecisionForm form) {
        if (form.conditionsText().isBlank()) {
            return null;
        }
        return new Conditions(
                form.conditionsText(),
                a.conditions().deleteAfterDelivery(),
                a.conditions().deletionReportDue());
    }

    @Post("/{ref}/confirm")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("text/html")
    public HttpResponse<?> confirm(
            HttpRequest<?> request, Principal principal, String ref, @Body Map<String, Object> body) {
        ConsoleForm f = ConsoleForm.verified(body, principal, csrf);
        String reason;
        try {
            reason = f.get("reason");
        } catch (IllegalArgumentException e) {
            return tooLong(request, principal, e);
        }
        Optional<StoredApproval> current = find(ref);
        if (current.isEmpty()) {
            return unknown(request, principal, ref);
        }
        StoredApproval s = current.get();
        DecisionOutcome outcome = service.confirm(s.approval().ref(), reason, Callers.of(request, principal));
        return answer(request, principal, s, DecisionForm.EMPTY, outcome);
    }

    private HttpResponse<?> answer(
            HttpRequest<?> request, Principal principal, StoredApproval s, DecisionForm form, DecisionOutcome o) {
        if (o instanceof Refused r) {
            PageError e = PageError.of(r.reason(), r.message());
            ApprovalViews.refusedByService(request, e);
            // what the approval is now: the refusal may be about a change someone else just made
            StoredApproval now = service.load(s.approval().ref()).orElse(s);
            return views.detail(request, principal, now, form, null, e);
        }
        String to = ApprovalLinks.detail(s.approval().ref());
        if (o instanceof AwaitingConfirmation) {
            return ConsolePage.seeOther(to, "approval-awaiting");
        }
        Applied a = (Applied) o;
        return ConsolePage.seeOther(
                to, a.record() != null && a.record().confirmedBy() != null ? "approval-confirmed" : "approval-decided");
    }

    private Optional<StoredApproval> find(String ref) {
        return Ids.APPROVAL_REF.valid(ref) ? service.load(ref) : Optional.empty();
    }

    private HttpResponse<?> unknown(HttpRequest<?> request, Principal principal, String ref) {
        if (!Ids.APPROVAL_REF.valid(ref)) {
            return page.error(
                    request,
                    principal,
                    Reason.ID_INVALID,
                    400,
                    Ids.APPROVAL_REF.problem(ref).orElse(""));
        }
        return page.error(request, principal, Reason.APPROVAL_UNKNOWN, 404, ApprovalPages.unknown(ref));
    }

    private HttpResponse<?> tooLong(HttpRequest<?> request, Principal principal, IllegalArgumentException e) {
        return page.error(request, principal, Reason.FIELD_INVALID, 400, e.getMessage());
    }
}
