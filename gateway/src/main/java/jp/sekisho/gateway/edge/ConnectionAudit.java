package jp.sekisho.gateway.edge;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.http.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes connection-level audit events (queued, {@link AuditLog#record}) and counts them.
 * Returns false when the audit store refused the event: the caller then closes the connection.
 *
 * <p>Refusals (CONNECTION_REFUSED, TLS_FAILED) are every one counted in the metrics, but written
 * through {@link RefusalWindows}: the first of a source's window at once, the rest as one summary
 * when the window closes, so a host that can only reach the port cannot fill the audit store.
 */
public final class ConnectionAudit implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAudit.class);
    /** Default refusal window and table size (see docs/gateway-config.md, edge.refusal-window). */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);

    public static final int MAX_SOURCES = 10_000;

    private final AuditLog audit;
    private final Metrics metrics;
    private final RefusalWindows windows;
    private final ScheduledExecutorService sweeper;

    public ConnectionAudit(AuditLog audit, Metrics metrics) {
        this(audit, metrics, DEFAULT_WINDOW);
    }

    public ConnectionAudit(AuditLog audit, Metrics metrics, Duration window) {
        this.audit = audit;
        this.metrics = metrics;
        this.windows = new RefusalWindows(window, MAX_SOURCES, Clock.systemUTC());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sekisho-refusal-summaries");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> writeAll(windows.sweep()), 1, 1, TimeUnit.SECONDS);
    }

    public boolean refused(ConnectionInfo c, InetSocketAddress source, String reason, String detailJson) {
        metrics.connection(c.listener(), "DENY", reason);
        String ip = ip(source);
        if (!windows.count(
                new RefusalWindows.Key(EventType.CONNECTION_REFUSED, c.listener(), c.listenerPort(), ip, reason, null),
                this::writeSummary)) {
            return true; // counted in its window's summary
        }
        return write(AuditEvent.of(EventType.CONNECTION_REFUSED, Outcome.DENY)
                .reason(reason)
                .source(ip, source.getPort())
                .listenerPort(c.listenerPort())
                .detailJson(detailJson)
                .build());
    }

    public boolean tlsFailed(ConnectionInfo c, String reason, AuditPrincipal presented) {
        metrics.connection(c.listener(), "DENY", reason);
        RefusalWindows.Key key = new RefusalWindows.Key(
                EventType.TLS_FAILED,
                c.listener(),
                c.listenerPort(),
                c.clientIp(),
                reason,
                presented == null ? null : presented.sha256());
        if (!windows.count(key, this::writeSummary)) {
            return true;
        }
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

    /** Writes the summaries of every open window (shutdown, before GATEWAY_STOPPED). */
    @Override
    public void close() {
        sweeper.shutdownNow();
        writeAll(windows.flushAll());
    }

    private void writeAll(List<RefusalWindows.Summary> summaries) {
        summaries.forEach(this::writeSummary);
    }

    /** A summary, as an event of the type it sums up, without a port or principal (they varied). */
    private void writeSummary(RefusalWindows.Summary s) {
        RefusalWindows.Key k = s.key();
        AuditEvent e = AuditEvent.of(k.type(), Outcome.DENY)
                .reason(k.reason())
                .source(k.ip(), null)
                .listenerPort(k.listenerPort() == 0 ? null : k.listenerPort())
                .detailJson(s.detailJson())
                .build();
        if (!write(e)) {
            LOG.warn(
                    "audit store unavailable: summary of {} further {} refusals from {} not written",
                    s.count(),
                    k.reason(),
                    k.ip());
        }
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
