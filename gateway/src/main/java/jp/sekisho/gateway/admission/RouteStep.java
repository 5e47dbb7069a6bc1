package jp.sekisho.gateway.admission;

import jp.sekisho.gateway.route.Route;

/** The route exists and is bound to the listener the request came on; a route on another listener does not exist here. */
final class RouteStep implements Step {

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        RouteTarget target = request.target();
        if (target == null) {
            return null;
        }
        Route route = attempt.policy().routes().get(target.routeId());
        if (route == null) {
            return attempt.deny(Reason.ROUTE_UNKNOWN, "no route '" + target.routeId() + "'");
        }
        attempt.route(route);
        if (!route.listener().equals(request.listener())) {
            return attempt.deny(
                    Reason.ROUTE_NOT_ON_LISTENER,
                    "no route '" + target.routeId() + "' on listener " + request.listener());
        }
        return null;
    }
}
