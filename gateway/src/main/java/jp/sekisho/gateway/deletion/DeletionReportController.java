package jp.sekisho.gateway.deletion;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.approval.RefNumbers;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.policy.PolicyWatcher;
import jp.sekisho.gateway.transfer.TransferProblem;

/**
 * The contractor submits its deletion report on its own transfer listener (mutual TLS, receiver role):
 * the body is the signed original (CMS SignedData, DER). {@link DeletionReports} decides.
 */
@Controller("/api/v1/approvals/{ref}")
@ExecuteOn(TaskExecutors.BLOCKING)
public final class DeletionReportController {

    private final DeletionReports reports;
    private final PolicyWatcher policy;
    private final ApprovalService approvals;

    public DeletionReportController(DeletionReports reports, PolicyWatcher policy, ApprovalService approvals) {
        this.reports = reports;
        this.policy = policy;
        this.approvals = approvals;
    }

    /** The approval's stored reference ({@code ８福第３０１号} finds {@code 8福第301号}), or the normalised form. */
    private String stored(String ref) {
        return approvals.resolve(ref).orElse(RefNumbers.normalise(ref));
    }

    @Post(value = "/deletion-reports", produces = MediaType.APPLICATION_JSON)
    @Consumes({"application/cms", "application/pkcs7-mime", MediaType.APPLICATION_OCTET_STREAM})
    @RequiresRole(Role.RECEIVER)
    public HttpResponse<String> submit(
            HttpRequest<?> request, Principal principal, String ref, @Nullable @Body byte[] body) {
        if (body == null || body.length > SignedReport.MAX_BYTES) {
            throw new TransferProblem(
                    Reason.DELETION_REPORT_MALFORMED,
                    "the body must be the signed report (CMS SignedData, DER), at most " + SignedReport.MAX_BYTES
                            + " bytes");
        }
        ConnectionInfo c = Requests.connection(request);
        DeletionReportRepository.Stored s = reports.submit(
                Callers.of(request, principal),
                principal,
                c == null ? "-" : c.listener(),
                policy.current(),
                stored(ref),
                body);
        return HttpResponse.<String>status(HttpStatus.CREATED)
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store")
                .body(DeletionReportJson.stored(s));
    }

    /**
     * The transfers delivered under the approval, id and SHA-256: what the contractor's manifest must
     * list ({@code sekisho deletion-report template}). Same callers as the submission.
     */
    @Get(value = "/deliveries", produces = MediaType.APPLICATION_JSON)
    @RequiresRole(Role.RECEIVER)
    public HttpResponse<String> deliveries(HttpRequest<?> request, Principal principal, String ref) {
        ConnectionInfo c = Requests.connection(request);
        Map<String, String> delivered = reports.deliveries(
                Callers.of(request, principal),
                principal,
                c == null ? "-" : c.listener(),
                policy.current(),
                stored(ref));
        StringBuilder sb = new StringBuilder("[");
        delivered.forEach((id, sha) -> {
            sb.append(sb.length() == 1 ? "" : ",").append('{');
            Json.quote(sb, "id").append(':');
            Json.quote(sb, id).append(',');
            Json.quote(sb, "sha256").append(':');
            Json.quote(sb, sha).append('}');
        });
        return HttpResponse.ok(sb.append(']').toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store");
    }
}
