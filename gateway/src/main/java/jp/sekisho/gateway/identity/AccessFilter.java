package jp.sekisho.gateway.identity;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.micronaut.core.annotation.AnnotationMetadata;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteMatch;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditLog;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.audit.EventType;
import jp.sekisho.audit.Outcome;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.GatewayInfo;
import jp.sekisho.gateway.http.Metrics;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;

/**
 * The one place where requests are admitted, before any controller runs. Gives every request an id
 * (X-Request-Id), then, for a matched route:
 * <ol>
 *   <li>{@link AdminApi} routes exist only on the admin listener (elsewhere 404, ADMIN_LISTENER_ONLY);</li>
 *   <li>{@link RequiresRole}: the principal must hold one of the roles (403, ROLE_REQUIRED);</li>
 *   <li>{@link AnyPrincipal}: any verified principal;</li>
 *   <li>neither annotation: refused to everyone (403, ROUTE_NOT_DECLARED): deny by default.</li>
 * </ol>
 * Each denial is a REQUEST_DENIED audit event; when the audit log cannot take it the answer is 503
 * AUDIT_UNAVAILABLE.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AccessFilter implements Ordered {

    public static final String ADMIN_LISTENER_ONLY = "ADMIN_LISTENER_ONLY";
    public static final String ROLE_REQUIRED = "ROLE_REQUIRED";
    public static final String ROUTE_NOT_DECLARED = "ROUTE_NOT_DECLARED";
    public static final String NO_PRINCIPAL = "NO_CERTIFICATE";

    private final AuditLog audit;
    private final Metrics metrics;
    private final GatewayInfo info;

    public AccessFilter(AuditLog audit, Metrics metrics, GatewayInfo info) {
        this.audit = audit;
        this.metrics = metrics;
        this.info = info;
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> admit(HttpRequest<?> request, @Nullable RouteMatch<?> route) {
        request.setAttribute(Requests.REQUEST_ID, newRequestId());
        ConnectionInfo conn = Requests.connection(request);
        String listener = conn == null ? "-" : conn.listener();
        if (conn == null || conn.principal() == null) {
            return deny(request, conn, HttpStatus.FORBIDDEN, NO_PRINCIPAL, "no verified client certificate");
        }
        if (route == null) {
            metrics.request(listener, "DENY", "NOT_FOUND");
            return null; // Micronaut answers 404 as a problem
        }
        AnnotationMetadata meta = route.getAnnotationMetadata();
        if (meta.hasAnnotation(AdminApi.class) && !info.isAdmin(listener)) {
            return deny(request, conn, HttpStatus.NOT_FOUND, ADMIN_LISTENER_ONLY, null);
        }
        if (meta.hasAnnotation(RequiresRole.class)) {
            Set<Role> wanted = EnumSet.noneOf(Role.class);
            for (Role r : meta.enumValues(RequiresRole.class, Role.class)) {
                wanted.add(r);
            }
            if (!conn.principal().hasAnyRole(wanted)) {
                return deny(request, conn, HttpStatus.FORBIDDEN, ROLE_REQUIRED, "requires role " + String.join(" or ",
                        wanted.stream().map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toList()));
            }
        } else if (!meta.hasAnnotation(AnyPrincipal.class)) {
            return deny(request, conn, HttpStatus.FORBIDDEN, ROUTE_NOT_DECLARED, null);
        }
        metrics.request(listener, "ALLOW", "OK");
        return null;
    }

    @ResponseFilter
    public void tag(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String id = Requests.requestId(request);
        if (id != null) {
            response.header(Requests.HEADER, id);
        }
    }

    private HttpResponse<?> deny(HttpRequest<?> request, @Nullable ConnectionInfo conn, HttpStatus status, String reason,
                                 @Nullable String detail) {
        metrics.request(conn == null ? "-" : conn.listener(), "DENY", reason);
        try {
            audit.record(AuditEvent.of(EventType.REQUEST_DENIED, Outcome.DENY).reason(reason)
                    .principal(conn == null || conn.principal() == null ? null : conn.principal().toAudit())
                    .source(conn == null ? null : conn.clientIp(), conn == null ? null : conn.client().getPort())
                    .listenerPort(conn == null ? null : conn.listenerPort())
                    .requestId(Requests.requestId(request))
                    .detailJson("{\"method\":\"" + request.getMethodName() + "\",\"path\":\"" + jsonEscape(request.getPath()) + "\"}")
                    .build());
        } catch (AuditUnavailableException e) {
            return Problem.response(request, HttpStatus.SERVICE_UNAVAILABLE, AuditUnavailableException.REASON,
                    "the audit log cannot record this request now");
        }
        return Problem.response(request, status, reason, detail);
    }

    private static String newRequestId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
