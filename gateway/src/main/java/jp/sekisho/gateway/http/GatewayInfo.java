package jp.sekisho.gateway.http;

import java.util.Map;

/** Static facts about this gateway that controllers and filters need. */
public record GatewayInfo(String nodeId, Map<String, Boolean> adminByListener) {

    public GatewayInfo {
        adminByListener = Map.copyOf(adminByListener);
    }

    public boolean isAdmin(String listener) {
        return Boolean.TRUE.equals(adminByListener.get(listener));
    }
}
