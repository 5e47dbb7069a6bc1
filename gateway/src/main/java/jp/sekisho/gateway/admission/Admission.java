package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.policy.Detail;
import jp.sekisho.gateway.route.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that records what happened to a request: its admission (REQUEST_DENIED with the
 * reason, or REQUEST_ALLOWED for a request on a route) and, once it is answered, its outcome in
 * {@code sekisho_requests_total}. Every entry point calls {@link #admit} first and {@link #completed}
 * when it has answered an admitted request, so each request counts exactly once and each refusal is
 * audited exactly once, whichever way it came in.
 */
public final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    static final int ROUTE_ID_LIMIT = 256;
    static final int MESSAGE_LIMIT = 1024;

    private final AdmissionChain chain;
    private final AuditLog audit;
    private final Metrics metrics;

    public Admission(AdmissionChain chain, AuditLog audit, Metrics metrics) {
        this.chain = chain;
        this.audit = audit;
        this.metrics = metrics;
    }

    /**
     * Judges and records the request. A denial is counted here; an admitted request is counted by
     * {@link #completed}.
     *
     * @throws AuditUnavailableException when the decision cannot be recorded: the request must be
     *     answered 503 AUDIT_UNAVAILABLE (fail closed), and is counted so
     */
    public Decision admit(AdmissionRequest request) {
        Decision d = chain.decide(request);
        try {
            if (d instanceof Decision.Denied x) {
                audit.record(denied(request, x.route(), x.reason().code(), x.message())
                        .build());
                count(request, "DENY", x.reason().code());
            } else if (request.target() != null) {
                Decision.Admitted a = (Decision.Admitted) d;
                audit.record(event(request, EventType.REQUEST_ALLOWED, Outcome.ALLOW, a.route())
                        .detailJson(detail(request)
                                .put("side", a.side() == null ? null : a.side().label())
                                .toString())
                        .build());
            }
        } catch (AuditUnavailableException e) {
            count(request, "DENY", Reason.AUDIT_UNAVAILABLE.code());
            throw e;
        }
        return d;
    }

    /**
     * Records a request refused before the chain could judge it (its framing, path or an id is
     * malformed, see {@code RequestGuard}): REQUEST_DENIED with the reason, counted once.
     *
     * @throws AuditUnavailableException when the refusal cannot be recorded (answer 503, counted so)
     */
    public void refuse(AdmissionRequest request, Reason reason, @Nullable String message) {
        try {
            audit.record(denied(request, null, reason.code(), message).build());
        } catch (AuditUnavailableException e) {
            count(request, "DENY", Reason.AUDIT_UNAVAILABLE.code());
            throw e;
        }
        count(request, "DENY", reason.code());
    }

    /**
     * An admitted request was answered. A refusal that its service did not audit itself (a wrong
     * offset, an unknown transfer, a bad range, ...) gets its REQUEST_DENIED event here.
     *
     * @param admitted   what admission granted, or null when the request never reached the chain
     * @param reasonCode the refusal's reason code, or null for a success
     * @param audited    true when a service already wrote the event for this refusal
     */
    public void completed(
            AdmissionRequest request,
            @Nullable Decision.Admitted admitted,
            @Nullable String reasonCode,
            @Nullable String message,
            boolean audited) {
        if (reasonCode == null) {
            count(request, "ALLOW", "OK");
            return;
        }
        if (!audited) {
            try {
                audit.record(denied(request, admitted == null ? null : admitted.route(), reasonCode, message)
                        .build());
            } catch (AuditUnavailableException e) {
                // the request is refused either way; nothing passed that would need the record
                LOG.warn(
                        "request {} refused with {} could not be audited: {}",
                        request.requestId(),
                        reasonCode,
                        e.getMessage());
                count(request, "DENY", Reason.AUDIT_UNAVAILABLE.code());
                return;
            }
        }
        count(request, "DENY", reasonCode);
    }

    private void count(AdmissionRequest request, String outcome, String reason) {
        metrics.request(request.listener(), request.method(), outcome, reason, request.startNanos());
    }

    private AuditEvent.Builder denied(
            AdmissionRequest request, @Nullable Route route, String reason, @Nullable String message) {
        return event(request, EventType.REQUEST_DENIED, Outcome.DENY, route)
                .reason(reason)
                .detailJson(detail(request)
                        .put("method", request.method())
                        .put("path", request.path())
                        .put("message", clip(message, MESSAGE_LIMIT))
                        .toString());
    }

    /**
     * Cuts a client-chosen text to what the audit store takes (it refuses NUL and overlong fields, and a
     * refused event would leave a refusal unrecorded); the JSON detail escapes the rest.
     */
    static String clip(@Nullable String s, int limit) {
        if (s == null) {
            return null;
        }
        String t = s.replace('\0', '\uFFFD');
        return t.length() <= limit ? t : t.substring(0, limit) + "…";
    }

    private static AuditEvent.Builder event(
            AdmissionRequest request, EventType type, Outcome outcome, @Nullable Route route) {
        ConnectionInfo c = request.connection();
        AuditEvent.Builder b = AuditEvent.of(type, outcome).requestId(request.requestId());
        if (c != null) {
            b.principal(c.principal() == null ? null : c.principal().toAudit())
                    .source(c.clientIp(), c.client().getPort())
                    .listenerPort(c.listenerPort());
        }
        if (request.target() != null) {
            b.routeId(clip(request.target().routeId(), ROUTE_ID_LIMIT));
        }
        if (route != null) {
            b.approvalRef(route.approvalRef());
        }
        return b;
    }

    private static Detail detail(AdmissionRequest request) {
        return new Detail()
                .put("entry", request.entry().label())
                .put(
                        "action",
                        request.target() == null ? null : request.target().action());
    }
}
