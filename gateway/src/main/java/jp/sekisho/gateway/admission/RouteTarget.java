package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;

/**
 * The route a request acts on and what it does there.
 *
 * @param routeId the route id from the path (already URL-decoded)
 * @param side    the side the request acts for; null when it is whichever the principal is a party
 *                of (a sender of the route holding the sender role acts as sender, anyone else as receiver)
 * @param action  a short name for the audit log: upload-create, upload-patch, download, ack, terms, ...
 */
public record RouteTarget(String routeId, @Nullable Side side, String action) {}
