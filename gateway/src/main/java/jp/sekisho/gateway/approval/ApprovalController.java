package jp.sekisho.gateway.approval;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import java.time.Clock;
import java.util.List;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.ApprovalJson.ConfirmRequest;
import jp.sekisho.gateway.approval.ApprovalJson.DecisionRequest;
import jp.sekisho.gateway.approval.ApprovalJson.DecisionResult;
import jp.sekisho.gateway.approval.ApprovalJson.Draft;
import jp.sekisho.gateway.approval.DecisionOutcome.Applied;
import jp.sekisho.gateway.approval.DecisionOutcome.AwaitingConfirmation;
import jp.sekisho.gateway.approval.DecisionOutcome.Refused;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The secretariat's admin API (admin listener only). Only the secretariat creates and decides;
 * auditors and operators read.
 */
@AdminApi
@Controller("/api/v1/approvals")
public final class ApprovalController {

    private final ApprovalService service;
    private final Clock clock;

    public ApprovalController(ApprovalService service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    @Get
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public List<ApprovalJson.View> list() {
        return service.listStored().stream()
                .map(a -> ApprovalJson.view(a, clock.instant()))
                .toList();
    }

    @Get("/{ref}")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> get(HttpRequest<?> request, String ref) {
        return service.load(ref)
                .<HttpResponse<?>>map(a -> HttpResponse.ok(ApprovalJson.view(a, clock.instant())))
                .orElseGet(() -> Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "no approval " + ref));
    }

    @Get("/{ref}/history")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> history(HttpRequest<?> request, String ref) {
        if (service.find(ref).isEmpty()) {
            return Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "no approval " + ref);
        }
        return HttpResponse.ok(
                service.history(ref).stream().map(ApprovalJson::entry).toList());
    }

    @Post
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> create(HttpRequest<?> request, Principal principal, @Body Draft draft) {
        return answer(
                request, service.create(draft.toApproval(null), Callers.of(request, principal)), HttpStatus.CREATED);
    }

    @Put("/{ref}")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> update(HttpRequest<?> request, Principal principal, String ref, @Body Draft draft) {
        return answer(request, service.update(draft.toApproval(ref), Callers.of(request, principal)), HttpStatus.OK);
    }

    @Post("/{ref}/decisions")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> decide(HttpRequest<?> request, Principal principal, String ref, @Body DecisionRequest body) {
        Decision d;
        try {
            d = Decision.fromCli(body.decision() == null ? "" : body.decision());
        } catch (IllegalArgumentException e) {
            return Problem.response(
                    request,
                    Reason.UNKNOWN_DECISION,
                    "decision must be one of "
                            + "approve, approve-with-conditions, reject, suspend, reinstate, revoke");
        }
        return answer(request, service.decide(ref, d, body.reason(), Callers.of(request, principal)), HttpStatus.OK);
    }

    @Post("/{ref}/confirmations")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> confirm(HttpRequest<?> request, Principal principal, String ref, @Body ConfirmRequest body) {
        return answer(request, service.confirm(ref, body.reason(), Callers.of(request, principal)), HttpStatus.OK);
    }

    private HttpResponse<?> answer(HttpRequest<?> request, DecisionOutcome outcome, HttpStatus ok) {
        if (outcome instanceof Refused r) {
            Requests.markAudited(request); // the service recorded the refusal
            return Problem.response(request, Reason.valueOf(r.reason()), statusOf(r.reason()), r.message());
        }
        if (outcome instanceof AwaitingConfirmation w) {
            return HttpResponse.status(HttpStatus.ACCEPTED)
                    .body(new DecisionResult(
                            ApprovalJson.view(w.approval(), clock.instant()),
                            true,
                            w.pending().decision().cliName() + " recorded by "
                                    + w.pending().by().subject()
                                    + "; it takes effect when a second secretariat member confirms it"));
        }
        Applied a = (Applied) outcome;
        String msg = a.record() == null
                ? "saved"
                : a.record().decision().cliName() + ": " + a.record().before() + " -> "
                        + a.record().after();
        return HttpResponse.status(ok)
                .body(new DecisionResult(ApprovalJson.view(a.approval(), clock.instant()), false, msg));
    }

    /** The status of a refused decision: APPROVAL_UNKNOWN is 404 here (the approval named in the path is absent). */
    private static int statusOf(String reason) {
        return "APPROVAL_UNKNOWN".equals(reason) ? 404 : Reason.valueOf(reason).status();
    }
}
