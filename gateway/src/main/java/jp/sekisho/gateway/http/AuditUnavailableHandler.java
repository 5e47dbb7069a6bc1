package jp.sekisho.gateway.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import jp.sekisho.audit.AuditUnavailableException;

/** A controller that could not write its audit event answers 503 AUDIT_UNAVAILABLE: fail closed. */
@Singleton
public final class AuditUnavailableHandler implements ExceptionHandler<AuditUnavailableException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, AuditUnavailableException exception) {
        return Problem.response(request, HttpStatus.SERVICE_UNAVAILABLE, AuditUnavailableException.REASON,
                "the audit log cannot record this request now");
    }
}
