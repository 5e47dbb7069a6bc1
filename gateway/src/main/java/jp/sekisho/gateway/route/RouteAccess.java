package jp.sekisho.gateway.route;

import jp.sekisho.gateway.approval.Approval;

/** Whether a request on a route may proceed: admitted with what it may use, or denied with a stable reason code. */
public sealed interface RouteAccess {

    /** The request may go on, under this route and this approval (both as of the snapshot judged). */
    record Admitted(Route route, Approval approval) implements RouteAccess {
    }

    /**
     * Refused. Reasons, in the order they are checked: ROUTE_UNKNOWN, ROUTE_NOT_ON_LISTENER,
     * NOT_A_SENDER / NOT_A_RECEIVER, SOURCE_NOT_ALLOWED, then the route's state (APPROVAL_PENDING,
     * APPROVAL_SUSPENDED, APPROVAL_REVOKED, APPROVAL_REJECTED, APPROVAL_EXPIRED, APPROVAL_NOT_YET_VALID,
     * APPROVAL_UNKNOWN).
     */
    record Denied(String reason, String message, Route route) implements RouteAccess {
    }
}
