package jp.sekisho.gateway.http;

import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import jp.sekisho.gateway.admission.Reason;

/**
 * Every error Micronaut itself produces (no route, wrong method, bad body, unhandled exception)
 * becomes a problem details document. Server errors carry no detail at all, so nothing internal
 * leaks; client errors carry Micronaut's one-line message.
 */
@Primary
@Singleton
@Replaces(ErrorResponseProcessor.class)
public final class ProblemErrorProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext ctx, MutableHttpResponse<?> response) {
        HttpStatus status = response.status();
        String detail = null;
        if (status.getCode() < 500 && ctx.hasErrors()) {
            detail = ctx.getErrors().get(0).getMessage();
        }
        Problem p = Problem.of(status, reasonOf(status).code(), detail, Requests.requestId(ctx.getRequest()));
        return response.contentType(Problem.MEDIA_TYPE).body(p);
    }

    static Reason reasonOf(HttpStatus status) {
        return switch (status) {
            case NOT_FOUND -> Reason.NOT_FOUND;
            case METHOD_NOT_ALLOWED -> Reason.METHOD_NOT_ALLOWED;
            case UNSUPPORTED_MEDIA_TYPE -> Reason.UNSUPPORTED_MEDIA_TYPE;
            case NOT_ACCEPTABLE -> Reason.NOT_ACCEPTABLE;
            case REQUEST_ENTITY_TOO_LARGE -> Reason.TOO_LARGE;
            case BAD_REQUEST -> Reason.BAD_REQUEST;
            case SERVICE_UNAVAILABLE -> Reason.UNAVAILABLE;
            default -> status.getCode() >= 500 ? Reason.INTERNAL_ERROR : Reason.REQUEST_ERROR;
        };
    }
}
