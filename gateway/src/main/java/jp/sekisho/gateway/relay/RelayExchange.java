package jp.sekisho.gateway.relay;

import java.util.List;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.audit.json.Json;
import jp.sekisho.gateway.admission.Reason;

/**
 * One relay request from its head to its end, and what its RELAY_REQUEST event says. Touched only on
 * its connection's event loop, except {@link #cutReason}, which the policy's cut-off sets from its
 * thread. Ends once: {@link #end} returns the event the first time and null after.
 */
final class RelayExchange {

    final String requestId;
    final String listener;
    final int listenerPort;
    final String clientIp;
    final int clientPort;
    final AuditPrincipal principal;
    final String method;
    final String path;
    final List<String> queryNames;
    final long startNanos = System.nanoTime();

    RelayRoute route;
    boolean websocket;
    long bytesIn;
    long bytesOut;
    int status;
    String upstream;
    volatile Reason cutReason;
    private boolean ended;

    RelayExchange(
            String requestId,
            String listener,
            int listenerPort,
            String clientIp,
            int clientPort,
            AuditPrincipal principal,
            String method,
            String uri) {
        this.requestId = requestId;
        this.listener = listener;
        this.listenerPort = listenerPort;
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.principal = principal;
        this.method = method;
        int q = uri.indexOf('?');
        int hash = uri.indexOf('#');
        int pathEnd = q >= 0 ? q : hash >= 0 ? hash : uri.length();
        this.path = uri.substring(0, pathEnd);
        this.queryNames =
                q >= 0 ? RelayPath.queryNames(uri.substring(q + 1, hash > q ? hash : uri.length())) : List.of();
    }

    boolean ended() {
        return ended;
    }

    /**
     * The request's one audit event, the first time it ends; null after.
     *
     * @param complete false when the request or its response was cut short
     */
    AuditEvent end(Outcome outcome, String reason, boolean complete) {
        if (ended) {
            return null;
        }
        ended = true;
        StringBuilder d = new StringBuilder("{\"method\":");
        Json.quote(d, method).append(",\"path\":");
        Json.quote(d, path).append(",\"queryNames\":[");
        for (int i = 0; i < queryNames.size(); i++) {
            Json.quote(d.append(i == 0 ? "" : ","), queryNames.get(i));
        }
        d.append("],\"status\":").append(status);
        d.append(",\"bytesIn\":").append(bytesIn).append(",\"bytesOut\":").append(bytesOut);
        d.append(",\"durationMs\":").append((System.nanoTime() - startNanos) / 1_000_000);
        if (upstream != null) {
            Json.quote(d.append(",\"upstream\":"), upstream);
        }
        d.append(",\"websocket\":").append(websocket);
        if (!complete) {
            d.append(",\"complete\":false");
        }
        d.append('}');
        return AuditEvent.of(EventType.RELAY_REQUEST, outcome)
                .reason(reason)
                .principal(principal)
                .source(clientIp, clientPort)
                .listenerPort(listenerPort)
                .routeId(route == null ? null : route.id())
                .approvalRef(route == null ? null : route.approvalRef())
                .requestId(requestId)
                .bytes(bytesIn + bytesOut)
                .detailJson(d.toString())
                .build();
    }
}
