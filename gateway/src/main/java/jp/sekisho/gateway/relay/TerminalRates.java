package jp.sekisho.gateway.relay;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import jp.sekisho.gateway.edge.ConnectionRate;

/**
 * Requests per second per terminal address, per relay route: the edge's bounded token bucket table
 * ({@link ConnectionRate}) with the route's rate as both the rate and the burst. A route whose rate
 * changes gets a fresh table.
 */
final class TerminalRates {

    private record Key(String route, int perSecond) {}

    /** Bounded by the relay routes: one table per route and rate (stale rates are dropped below). */
    private final ConcurrentHashMap<Key, ConnectionRate> tables = new ConcurrentHashMap<>();

    boolean tryAcquire(RelayRoute route, InetAddress terminal) {
        int perSecond = route.limits().requestsPerSecond();
        if (perSecond <= 0) {
            return true;
        }
        Key key = new Key(route.id(), perSecond);
        ConnectionRate rate = tables.get(key);
        if (rate == null) {
            tables.keySet().removeIf(k -> k.route().equals(route.id()));
            rate = tables.computeIfAbsent(key, k -> new ConnectionRate(perSecond, perSecond));
        }
        return rate.tryAcquire(terminal);
    }
}
