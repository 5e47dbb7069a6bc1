package jp.sekisho.gateway.relay;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.http.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a relay request's one RELAY_REQUEST event and counts it in {@code sekisho_requests_total}.
 * The write happens on the blocking executor: {@link AuditLog#record} may wait for room in the
 * queue, and the event loop never waits. Admission checked the store before the request was
 * forwarded (fail closed); an event the store then cannot take is logged loudly.
 */
final class RelayAudit {

    private static final Logger LOG = LoggerFactory.getLogger(RelayAudit.class);

    private final AuditLog audit;
    private final Metrics metrics;
    private final Executor executor;

    RelayAudit(AuditLog audit, Metrics metrics, Executor executor) {
        this.audit = audit;
        this.metrics = metrics;
        this.executor = executor;
    }

    /** Ends the exchange (once) and hands its event to the writer. */
    void end(RelayExchange x, jp.sekisho.audit.Outcome outcome, String reason, boolean complete) {
        AuditEvent event = x.end(outcome, reason, complete);
        if (event == null) {
            return;
        }
        metrics.request(x.listener, x.method, outcome.name(), reason, x.startNanos);
        try {
            executor.execute(() -> write(event));
        } catch (RejectedExecutionException e) {
            write(event); // shutting down: better late on this thread than lost
        }
    }

    private void write(AuditEvent event) {
        try {
            audit.record(event);
        } catch (AuditUnavailableException e) {
            LOG.error(
                    "RELAY_REQUEST {} of route {} could not be recorded: {}",
                    event.requestId(),
                    event.routeId(),
                    e.getMessage());
        }
    }
}
