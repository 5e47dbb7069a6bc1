package jp.sekisho.gateway.approval;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Every approval, with its state now and what passed under it so far. */
    @Get
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public List<ApprovalJson.View> list() {
        Map<String, ApprovalUsage> usage = service.usageByRef();
        return service.listStored().stream()
                .map(a -> ApprovalJson.view(
                                a,
                                clock.instant(),
                                usage.getOrDefault(a.approval().ref(), ApprovalUsage.NONE),
                                service.dataItems())
                        .withDeletionReportOverdue(service.deletionReportOverdue(a.approval())))
                .toList();
    }

    /** One approval; {@code ref} is normalised (８福第３０１号 finds 8福第301号). */
    @Get("/{ref}")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> get(HttpRequest<?> request, String ref) {
        return service.load(ref)
                .<HttpResponse<?>>map(a -> HttpResponse.ok(ApprovalJson.view(
                                a, clock.instant(), service.usage(a.approval().ref()), service.dataItems())
                        .withDeletionReportOverdue(service.deletionReportOverdue(a.approval()))))
                .orElseGet(() -> unknown(request, ref));
    }

    @Get("/{ref}/history")
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
    public HttpResponse<?> history(HttpRequest<?> request, String ref) {
        Optional<String> stored = service.resolve(ref);
        if (stored.isEmpty()) {
            return unknown(request, ref);
        }
        return HttpResponse.ok(
                service.history(stored.get()).stream().map(ApprovalJson::entry).toList());
    }

    /** What a decision would do (status after, second person, each route's state before and after); changes nothing. */
    @Get("/{ref}/preview")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> preview(HttpRequest<?> request, String ref, @Nullable @QueryValue String decision) {
        Optional<Decision> d = Decision.parse(decision);
        if (d.isEmpty()) {
            return Problem.response(request, Reason.UNKNOWN_DECISION, Decision.unknown(decision));
        }
        try {
            return HttpResponse.ok(ApprovalJson.preview(d.get(), service.preview(ref, d.get(), clock.instant())));
        } catch (DecisionRefusedException e) {
            return Problem.response(request, Reason.valueOf(e.reason()), statusOf(e.reason()), e.getMessage());
        }
    }

    @Post
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> create(HttpRequest<?> request, Principal principal, @Body Draft draft) {
        Approval a;
        try {
            a = draft.toApproval(null);
        } catch (ApprovalJson.DateInvalid e) {
            return Problem.response(request, Reason.DATE_INVALID, e.getMessage());
        }
        return answer(request, service.create(a, Callers.of(request, principal)), HttpStatus.CREATED);
    }

    @Put("/{ref}")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> update(HttpRequest<?> request, Principal principal, String ref, @Body Draft draft) {
        Approval a;
        try {
            a = draft.toApproval(ref);
        } catch (ApprovalJson.DateInvalid e) {
            return Problem.response(request, Reason.DATE_INVALID, e.getMessage());
        }
        return answer(request, service.update(a, Callers.of(request, principal)), HttpStatus.OK);
    }

    @Post("/{ref}/decisions")
    @RequiresRole(Role.SECRETARIAT)
    public HttpResponse<?> decide(HttpRequest<?> request, Principal principal, String ref, @Body DecisionRequest body) {
        Optional<Decision> d = Decision.parse(body.decision());
        if (d.isEmpty()) {
            return Problem.response(request, Reason.UNKNOWN_DECISION, Decision.unknown(body.decision()));
        }
        Conditions conditions;
        try {
            conditions = body.conditions() == null ? null : body.conditions().toConditions();
        } catch (ApprovalJson.DateInvalid e) {
            return Problem.response(request, Reason.DATE_INVALID, e.getMessage());
        }
        return answer(
                request,
                service.decide(
                        ref,
                        d.get(),
                        body.reason(),
                        conditions,
                        body.overrideOverdue(),
                        Callers.of(request, principal)),
                HttpStatus.OK);
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
                                    + "; 第二の委員の確認待ち / it takes effect when a second secretariat member "
                                    + "confirms it"));
        }
        Applied a = (Applied) outcome;
        String msg = a.record() == null
                ? "saved"
                : a.record().decision().cliName() + ": " + a.record().before() + " -> "
                        + a.record().after();
        return HttpResponse.status(ok)
                .body(new DecisionResult(ApprovalJson.view(a.approval(), clock.instant()), false, msg));
    }

    private static HttpResponse<?> unknown(HttpRequest<?> request, String ref) {
        return Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "no approval " + ref);
    }

    /** The status of a refused decision: APPROVAL_UNKNOWN is 404 here (the approval named in the path is absent). */
    private static int statusOf(String reason) {
        return "APPROVAL_UNKNOWN".equals(reason) ? 404 : Reason.valueOf(reason).status();
    }
}
