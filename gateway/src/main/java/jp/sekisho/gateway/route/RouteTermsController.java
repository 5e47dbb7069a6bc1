package jp.sekisho.gateway.route;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Callers;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.route.RouteAccess.Admitted;
import jp.sekisho.gateway.route.RouteAccess.Denied;

/**
 * {@code GET /api/v1/routes/{id}/terms} on the route's own listener: what a sender or receiver must
 * respect now (approved data items, record and size limits, recipient certificates). It runs the
 * full route check, so it is also how a client learns, before sending anything, that a route is
 * refused and why.
 */
@Controller("/api/v1/routes/{id}/terms")
public final class RouteTermsController {

    private final RouteAdmission admission;

    public RouteTermsController(RouteAdmission admission) {
        this.admission = admission;
    }

    @Get
    @RequiresRole({Role.SENDER, Role.RECEIVER})
    public HttpResponse<?> terms(HttpRequest<?> request, Principal principal, String id, @Nullable @QueryValue String as) {
        RouteGuard.Side side = "receiver".equalsIgnoreCase(as) ? RouteGuard.Side.RECEIVER : RouteGuard.Side.SENDER;
        ConnectionInfo conn = Requests.connection(request);
        RouteAccess access = admission.admit(Callers.of(request, principal), id, conn == null ? "" : conn.listener(), side,
                "terms");
        if (access instanceof Denied d) {
            HttpStatus status = switch (d.reason()) {
                case "ROUTE_UNKNOWN", "ROUTE_NOT_ON_LISTENER" -> HttpStatus.NOT_FOUND;
                default -> HttpStatus.FORBIDDEN;
            };
            return Problem.response(request, status, d.reason(), d.message());
        }
        Admitted a = (Admitted) access;
        Route r = a.route();
        return HttpResponse.ok(new RouteJson.Terms(r.id(), a.approval().ref(), a.approval().title(), a.approval().dataItems(),
                a.approval().maxRecords(), r.maxPayloadBytes(), r.allowCbc(), r.recipientCertificates(), RouteState.ACTIVE.name()));
    }
}
