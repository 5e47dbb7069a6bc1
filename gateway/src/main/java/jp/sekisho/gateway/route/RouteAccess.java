package jp.sekisho.gateway.route;

import jp.sekisho.gateway.approval.Approval;

/** What admission grants a request on a route: the route and its approval, both as of the snapshot judged. */
public sealed interface RouteAccess {

    /** The request may go on, under this route and this approval. */
    record Admitted(Route route, Approval approval) implements RouteAccess {}
}
