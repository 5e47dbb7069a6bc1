package jp.sekisho.gateway.console;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Problem;

/** A form without its token: 403 CSRF_REJECTED as a problem document, which admission then audits. */
@Produces
@Singleton
@Requires(classes = {CsrfRejectedException.class, ExceptionHandler.class})
public final class CsrfRejectedHandler implements ExceptionHandler<CsrfRejectedException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, CsrfRejectedException e) {
        return Problem.response(request, Reason.CSRF_REJECTED, e.getMessage());
    }
}
