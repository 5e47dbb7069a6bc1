package jp.sekisho.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;
import jp.sekisho.gateway.admission.HttpTitles;
import jp.sekisho.gateway.admission.Reason;

/**
 * An error answer, RFC 9457 problem details plus the gateway's stable {@code reason} code and the
 * {@code requestId} that also appears in the audit log. Never carries a stack trace.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type,
        String title,
        int status,
        String reason,
        @Nullable String detail,
        @Nullable String requestId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * Seconds a client should wait before retrying after 503 AUDIT_UNAVAILABLE (the Retry-After
     * header): the store is polled every second and a short outage is over by then.
     */
    public static final String RETRY_AFTER_SECONDS = "5";

    /** The Retry-After value to send with a refusal of this reason, or null. */
    public static String retryAfter(String reason) {
        return Reason.AUDIT_UNAVAILABLE.code().equals(reason) ? RETRY_AFTER_SECONDS : null;
    }

    public static Problem of(HttpStatus status, String reason, @Nullable String detail, @Nullable String requestId) {
        return new Problem(
                "urn:sekisho:problem:" + reason, status.getReason(), status.getCode(), reason, detail, requestId);
    }

    /** The answer to a refusal with its reason's own status and title. */
    public static MutableHttpResponse<Problem> response(
            HttpRequest<?> request, Reason reason, @Nullable String detail) {
        return response(request, reason, reason.status(), detail);
    }

    /** The answer to a refusal whose status depends on where it happened (e.g. APPROVAL_UNKNOWN: 404 or 409). */
    public static MutableHttpResponse<Problem> response(
            HttpRequest<?> request, Reason reason, int status, @Nullable String detail) {
        Problem p = new Problem(
                "urn:sekisho:problem:" + reason.code(),
                HttpTitles.of(status),
                status,
                reason.code(),
                detail,
                Requests.requestId(request));
        return withRetryAfter(
                HttpResponse.<Problem>status(status, HttpTitles.of(status))
                        .contentType(MEDIA_TYPE)
                        .body(p),
                reason.code());
    }

    public static MutableHttpResponse<Problem> response(
            HttpRequest<?> request, HttpStatus status, String reason, @Nullable String detail) {
        return withRetryAfter(
                HttpResponse.<Problem>status(status)
                        .contentType(MEDIA_TYPE)
                        .body(of(status, reason, detail, Requests.requestId(request))),
                reason);
    }

    private static MutableHttpResponse<Problem> withRetryAfter(MutableHttpResponse<Problem> r, String reason) {
        String retryAfter = retryAfter(reason);
        return retryAfter == null ? r : r.header("Retry-After", retryAfter);
    }
}
