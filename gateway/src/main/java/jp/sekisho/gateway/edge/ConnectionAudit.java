package jp.sekisho.gateway.edge;

import java.net.InetSocketAddress;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.http.Metrics;

/**
 * Writes connection-level audit events (queued, {@link AuditLog#record}) and counts them.
 * Returns false when the audit store refused the event: the caller then closes the connection.
 */
public final class ConnectionAudit {

    private final AuditLog audit;
    private final Metrics metrics;

    public ConnectionAudit(AuditLog audit, Metrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    public boolean refused(ConnectionInfo c, InetSocketAddress source, String reason, String detailJson) {
        metrics.connection(c.listener(), "DENY", reason);
        return write(AuditEvent.of(EventType.CONNECTION_REFUSED, Outcome.DENY)
                .reason(reason)
                .source(ip(source), source.getPort())
                .listenerPort(c.listenerPort())
                .detailJson(detailJson)
                .build());
    }

    public boolean tlsFailed(ConnectionInfo c, String reason, AuditPrincipal presented) {
        metrics.connection(c.listener(), "DENY", reason);
        return write(AuditEvent.of(EventType.TLS_FAILED, Outcome.DENY)
                .reason(reason)
                .principal(presented)
                .source(c.clientIp(), c.client().getPort())
                .listenerPort(c.listenerPort())
                .detailJson(proxied(c))
                .build());
    }

    public boolean accepted(ConnectionInfo c) {
        metrics.connection(c.listener(), "ALLOW", "OK");
        return write(AuditEvent.of(EventType.CONNECTION_ACCEPTED, Outcome.ALLOW)
                .principal(c.principal() == null ? null : c.principal().toAudit())
                .source(c.clientIp(), c.client().getPort())
                .listenerPort(c.listenerPort())
                .detailJson(proxied(c))
                .build());
    }

    private boolean write(AuditEvent e) {
        try {
            audit.record(e);
            return true;
        } catch (AuditUnavailableException ex) {
            metrics.connection("-", "ERROR", AuditUnavailableException.REASON);
            return false;
        }
    }

    /** When a load balancer relayed the connection, its address goes into the event's details. */
    @SuppressWarnings("ReferenceEquality") // client is the peer object itself until a PROXY header replaces it
    static String proxied(ConnectionInfo c) {
        if (c.client() == c.peer()) {
            return null;
        }
        return "{\"via\":\"" + ip(c.peer()) + ":" + c.peer().getPort() + "\"}";
    }

    static String ip(InetSocketAddress a) {
        return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }
}
