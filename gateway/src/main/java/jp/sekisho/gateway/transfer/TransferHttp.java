package jp.sekisho.gateway.transfer;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import jp.sekisho.gateway.admission.HttpTitles;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;

/**
 * The problem answer of a {@link TransferProblem} on the Micronaut routes (with {@code Tus-Resumable},
 * and {@code Upload-Offset} for an offset mismatch). Statuses outside Micronaut's enum (tus 460) keep
 * their code. A refusal its service already audited is marked so, and the admission filter does not
 * audit it again.
 */
@Singleton
public final class TransferHttp implements ExceptionHandler<TransferProblem, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, TransferProblem e) {
        if (e.audited()) {
            Requests.markAudited(request);
        }
        String title = HttpTitles.of(e.status());
        Problem p = new Problem(
                "urn:sekisho:problem:" + e.reason(),
                title,
                e.status(),
                e.reason(),
                e.getMessage(),
                Requests.requestId(request));
        MutableHttpResponse<Problem> r = HttpResponse.<Problem>status(e.status(), title)
                .contentType(Problem.MEDIA_TYPE)
                .body(p);
        Tus.problemHeaders(e, r::header);
        return r;
    }
}
