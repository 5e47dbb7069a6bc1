package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;
import jp.sekisho.gateway.approval.Approval;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.route.Route;
import jp.sekisho.gateway.route.RouteAccess;

/** What the admission chain decided about a request: admitted with what it may use, or denied with a reason. */
public sealed interface Decision {

    /**
     * The request may go on.
     *
     * @param route    the route it acts on, as of the snapshot judged (null for an endpoint without a route)
     * @param approval the route's approval, in force at that moment (null without a route)
     * @param side     the side it acts for on the route (null without a route)
     */
    record Admitted(
            Principal principal,
            @Nullable Route route,
            @Nullable Approval approval,
            @Nullable Side side) implements Decision {

        /** The route and approval, for the transfer layer (only for a request on a route). */
        public RouteAccess.Admitted grant() {
            if (route == null) {
                throw new IllegalStateException("admitted without a route");
            }
            return new RouteAccess.Admitted(route, approval);
        }
    }

    /**
     * Refused.
     *
     * @param route the route, when the chain got as far as finding it (its approval goes into the audit event)
     */
    record Denied(Reason reason, String message, @Nullable Route route) implements Decision {

        public Denied(Reason reason, String message) {
            this(reason, message, null);
        }
    }
}
