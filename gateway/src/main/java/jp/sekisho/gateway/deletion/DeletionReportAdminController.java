package jp.sekisho.gateway.deletion;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.approval.ApprovalService;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.input.Ids;

/** The secretariat and auditors read an approval's accepted deletion reports and their signed originals. */
@AdminApi
@Controller("/api/v1/approvals/{ref}/deletion-reports")
@ExecuteOn(TaskExecutors.BLOCKING)
public final class DeletionReportAdminController {

    private final DeletionReports reports;
    private final ApprovalService approvals;

    public DeletionReportAdminController(DeletionReports reports, ApprovalService approvals) {
        this.reports = reports;
        this.approvals = approvals;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR})
    public HttpResponse<?> list(HttpRequest<?> request, String ref) {
        Optional<String> stored = approvals.resolve(ref);
        if (stored.isEmpty()) {
            return Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "no approval " + ref);
        }
        return HttpResponse.ok(DeletionReportJson.list(reports.repository().list(stored.get())))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store");
    }

    /** The signed original as received (CMS SignedData, DER): {@code openssl cms -verify -inform DER} checks it. */
    @Get(
            value = "/{id}",
            produces = {"application/cms", "application/problem+json"})
    @RequiresRole({Role.SECRETARIAT, Role.AUDITOR})
    public HttpResponse<?> original(HttpRequest<?> request, String ref, String id) {
        Optional<String> stored = approvals.resolve(ref);
        if (stored.isEmpty()) {
            return Problem.response(request, Reason.APPROVAL_UNKNOWN, 404, "no approval " + ref);
        }
        if (!Ids.TRANSFER.valid(id)) {
            return Problem.response(request, Reason.ID_INVALID, "a report id is 8 to 64 of A-Z a-z 0-9 _ -");
        }
        return reports.repository()
                .original(stored.get(), id)
                .<HttpResponse<?>>map(b -> HttpResponse.ok(b)
                        .contentType(MediaType.of("application/cms"))
                        .header("Content-Disposition", "attachment; filename=\"deletion-report-" + id + ".p7m\"")
                        .header("Cache-Control", "no-store"))
                .orElseGet(() -> Problem.response(request, Reason.DELETION_REPORT_UNKNOWN, "no report " + id));
    }
}
