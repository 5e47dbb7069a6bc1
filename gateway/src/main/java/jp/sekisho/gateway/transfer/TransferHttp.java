package jp.sekisho.gateway.transfer;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.Caller;
import jp.sekisho.gateway.route.RouteAccess;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAccess.Denied;
import jp.sekisho.gateway.route.RouteAdmission;
import jp.sekisho.gateway.route.RouteGuard;

/**
 * The route admission every transfer request starts with, and the problem answer of a
 * {@link TransferProblem} (with {@code Tus-Resumable}, and {@code Upload-Offset} for an offset
 * mismatch). Statuses outside Micronaut's enum (tus 460) keep their code.
 */
@Singleton
public final class TransferHttp implements ExceptionHandler<TransferProblem, HttpResponse<?>> {

    /** Admits the request on the route for that side, or throws the denial as a problem. */
    public static Admitted admit(RouteAdmission admission, HttpRequest<?> request, Principal principal, String route,
                                 RouteGuard.Side side, String action) {
        ConnectionInfo conn = Requests.connection(request);
        Caller caller = Callers.of(request, principal);
        RouteAccess access = admission.admit(caller, route, conn == null ? "" : conn.listener(), side, action);
        if (access instanceof Denied d) {
            throw new TransferProblem(TransferProblem.statusOfDenial(d.reason()), d.reason(), d.message());
        }
        return (Admitted) access;
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 460 -> "Checksum Mismatch";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Client Error";
        };
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, TransferProblem e) {
        Problem p = new Problem("urn:sekisho:problem:" + e.reason(), title(e.status()), e.status(), e.reason(),
                e.getMessage(), Requests.requestId(request));
        MutableHttpResponse<Problem> r = HttpResponse.<Problem>status(e.status(), title(e.status()))
                .contentType(Problem.MEDIA_TYPE).body(p);
        r.header(Tus.RESUMABLE, Tus.VERSION);
        if (e.offset() != null) {
            r.header("Upload-Offset", Long.toString(e.offset()));
        }
        if (e.status() == 412) {
            r.header("Tus-Version", Tus.VERSION);
        }
        return r;
    }
}
