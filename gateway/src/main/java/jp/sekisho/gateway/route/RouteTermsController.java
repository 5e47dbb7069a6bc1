package jp.sekisho.gateway.route;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import jp.sekisho.gateway.admission.Decision;
import jp.sekisho.gateway.admission.OnRoute;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * {@code GET /api/v1/routes/{id}/terms} on the route's own listener: what a sender or receiver must
 * respect now (approved data items, record and size limits, recipient certificates). Admission runs
 * the full route check first ({@code ?as=receiver} for the receiver's side), so it is also how a
 * client learns, before sending anything, that a route is refused and why.
 */
@Controller("/api/v1/routes/{id}/terms")
public final class RouteTermsController {

    @Get
    @RequiresRole({Role.SENDER, Role.RECEIVER})
    @OnRoute(variable = "id", side = OnRoute.SideRule.AS_QUERY, action = "terms")
    public HttpResponse<?> terms(Decision.Admitted admitted) {
        Route r = admitted.route();
        var a = admitted.approval();
        return HttpResponse.ok(new RouteJson.Terms(
                r.id(),
                a.ref(),
                a.title(),
                a.dataItems(),
                a.maxRecords(),
                r.maxPayloadBytes(),
                r.allowCbc(),
                r.recipientCertificates(),
                RouteState.ACTIVE.name(),
                r.compression()));
    }
}
