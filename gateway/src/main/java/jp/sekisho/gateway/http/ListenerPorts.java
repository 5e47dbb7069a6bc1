package jp.sekisho.gateway.http;

import java.util.Map;

/** The port each listener is bound to, by listener name (a configured port 0 is resolved at start). */
public record ListenerPorts(Map<String, Integer> byName) {

    public ListenerPorts {
        byName = Map.copyOf(byName);
    }

    /** The bound port, or 0 for a name that is not a listener. */
    public int of(String listener) {
        return byName.getOrDefault(listener, 0);
    }
}
