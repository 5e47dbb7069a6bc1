package jp.sekisho.gateway.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.serde.annotation.Serdeable;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error answer, RFC 9457 problem details plus the gateway's stable {@code reason} code and the
 * {@code requestId} that also appears in the audit log. Never carries a stack trace.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String reason, @Nullable String detail,
                     @Nullable String requestId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(HttpStatus status, String reason, @Nullable String detail, @Nullable String requestId) {
        return new Problem("urn:sekisho:problem:" + reason, status.getReason(), status.getCode(), reason, detail, requestId);
    }

    public static MutableHttpResponse<Problem> response(HttpRequest<?> request, HttpStatus status, String reason,
                                                        @Nullable String detail) {
        return HttpResponse.<Problem>status(status).contentType(MEDIA_TYPE)
                .body(of(status, reason, detail, Requests.requestId(request)));
    }
}
