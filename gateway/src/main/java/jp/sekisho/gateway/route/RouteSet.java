package jp.sekisho.gateway.route;

import java.util.List;
import jp.sekisho.gateway.relay.RelayRoute;

/** The routes of one routes file: batch routes and relay routes, each in file order. */
public record RouteSet(List<Route> routes, List<RelayRoute> relays) {

    public RouteSet {
        routes = List.copyOf(routes);
        relays = List.copyOf(relays);
    }
}
