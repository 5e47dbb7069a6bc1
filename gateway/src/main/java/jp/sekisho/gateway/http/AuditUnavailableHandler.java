package jp.sekisho.gateway.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.admission.Reason;

/**
 * A controller that could not write its audit event, or could not reach the store at all, answers
 * 503 AUDIT_UNAVAILABLE with Retry-After: fail closed, and tell the client it is an outage, not a bug.
 */
@Singleton
public final class AuditUnavailableHandler implements ExceptionHandler<AuditUnavailableException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, AuditUnavailableException exception) {
        Requests.markAudited(request); // nothing can be recorded now; the answer says so
        return Problem.response(request, Reason.AUDIT_UNAVAILABLE, "the audit log cannot record this request now");
    }
}
