package jp.sekisho.gateway.http;

import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import io.micronaut.web.router.exceptions.UnsatisfiedQueryValueRouteException;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
import jakarta.inject.Singleton;
import java.net.URISyntaxException;
import jp.sekisho.audit.store.StoreOutage;
import jp.sekisho.gateway.admission.HttpTitles;
import jp.sekisho.gateway.admission.Reason;

/**
 * Every error Micronaut itself produces (no route, wrong method, bad body, unhandled exception)
 * becomes a problem details document. Server errors carry no detail at all, so nothing internal
 * leaks; client errors carry Micronaut's one-line message.
 *
 * <p>What the client sent wrong is a client error with its own reason, never 500: a body that is not
 * JSON or repeats a key (JSON_INVALID), a value of the wrong type or a missing one (FIELD_INVALID), a
 * target that cannot be decoded (PATH_INVALID). The admission filter then records the refusal.
 */
@Primary
@Singleton
@Replaces(ErrorResponseProcessor.class)
public final class ProblemErrorProcessor implements ErrorResponseProcessor<Problem> {

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext ctx, MutableHttpResponse<?> response) {
        Throwable cause = ctx.getRootCause().orElse(null);
        Reason reason = clientError(cause);
        if (reason != null) {
            response.status(reason.status(), HttpTitles.of(reason.status()));
        } else if (response.status().getCode() >= 500 && cause != null && StoreOutage.is(cause)) {
            // the store could not answer (frozen, down): an outage the client may retry, not a bug
            reason = Reason.AUDIT_UNAVAILABLE;
            response.status(reason.status(), HttpTitles.of(reason.status()));
            response.header("Retry-After", Problem.RETRY_AFTER_SECONDS);
        } else {
            reason = reasonOf(response.status());
        }
        HttpStatus status = response.status();
        String detail = null;
        if (status.getCode() < 500 && ctx.hasErrors()) {
            detail = ctx.getErrors().get(0).getMessage();
        }
        if (detail != null && detail.length() > 500) {
            detail = detail.substring(0, 500) + "…";
        }
        Problem p = new Problem(
                "urn:sekisho:problem:" + reason.code(),
                HttpTitles.of(status.getCode()),
                status.getCode(),
                reason.code(),
                detail,
                Requests.requestId(ctx.getRequest()));
        return response.contentType(Problem.MEDIA_TYPE).body(p);
    }

    /**
     * The reason of an error caused by what the client sent, or null when it is not (or not known to
     * be). A body the JSON reader refused (syntax, a repeated key, an unknown field, a wrong type) is
     * JSON_INVALID even when Micronaut wraps it in a conversion error; a query value that does not
     * convert is QUERY_INVALID; other conversion and missing arguments (a header) are FIELD_INVALID.
     */
    static Reason clientError(Throwable root) {
        Reason found = null;
        for (Throwable t = root; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            if (name.startsWith("com.fasterxml.jackson.core.")
                    || name.startsWith("com.fasterxml.jackson.databind.")
                    || name.startsWith("io.micronaut.serde.exceptions.")
                    || name.equals("io.micronaut.http.codec.CodecException")
                    || name.equals("io.micronaut.json.JsonSyntaxException")) {
                return Reason.JSON_INVALID;
            }
            if (t instanceof UnsatisfiedBodyRouteException
                    || (t instanceof ConversionErrorException c
                            && c.getArgument().getAnnotationMetadata().hasAnnotation(Body.class))) {
                return Reason.JSON_INVALID; // the body is missing or cannot be read as the endpoint's JSON type
            }
            if (found == null
                    && (t instanceof UnsatisfiedQueryValueRouteException
                            || (t instanceof ConversionErrorException c
                                    && c.getArgument().getAnnotationMetadata().hasAnnotation(QueryValue.class)))) {
                found = Reason.QUERY_INVALID;
            }
            if (found == null
                    && (t instanceof ConversionErrorException
                            || t instanceof UnsatisfiedRouteException
                            || t instanceof UnsatisfiedArgumentException)) {
                found = Reason.FIELD_INVALID;
            }
            if (found == null && t instanceof URISyntaxException) {
                found = Reason.PATH_INVALID;
            }
        }
        return found;
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
