package jp.sekisho.gateway.admission;

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
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.web.router.RouteMatch;
import io.micronaut.web.router.UriRouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.console.ConsolePage;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.AnyPrincipal;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/**
 * The Micronaut entry point of admission: before any controller runs, turns the request and its
 * matched route's annotations ({@link AdminApi}, {@link RequiresRole}, {@link AnyPrincipal},
 * {@link OnRoute}) into an {@link AdmissionRequest} and asks {@link Admission}; after the answer,
 * records the outcome once. Both run on the blocking executor: recording waits when the audit
 * queue is full, and the event loop must never wait.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AdmissionFilter implements Ordered {

    private final Admission admission;
    private final ConsolePage console;

    public AdmissionFilter(Admission admission, ConsolePage console) {
        this.admission = admission;
        this.console = console;
    }

    @Override
    public int getOrder() {
        return HIGHEST_PRECEDENCE;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    public HttpResponse<?> admit(HttpRequest<?> request, @Nullable RouteMatch<?> route) {
        String requestId = Requests.newRequestId();
        request.setAttribute(Requests.REQUEST_ID, requestId);
        AdmissionRequest admissionRequest = requestOf(request, route, requestId);
        request.setAttribute(Requests.ADMISSION, admissionRequest);
        Decision d;
        try {
            d = admission.admit(admissionRequest);
        } catch (AuditUnavailableException e) {
            Requests.markCounted(request);
            return Problem.response(
                    request,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    Reason.AUDIT_UNAVAILABLE.code(),
                    "the audit log cannot record this request now");
        }
        if (d instanceof Decision.Denied x) {
            Requests.markCounted(request);
            Principal principal = Requests.principal(request);
            if (principal != null && ConsolePage.isConsole(request.getPath()) && wantsPage(request)) {
                // a person in a browser reads the refusal as a console page; scripts still get a problem document
                return console.error(request, principal, x.reason(), x.reason().status(), x.message());
            }
            MutableHttpResponse<Problem> r = Problem.response(request, x.reason(), x.message());
            if (route != null
                    && route.getAnnotationMetadata()
                            .booleanValue(OnRoute.class, "tus")
                            .orElse(false)) {
                // a tus client reads the server's version from any answer, a refusal included
                r.header(ProtocolSteps.TUS_RESUMABLE, ProtocolSteps.TUS_VERSION);
                if (x.reason() == Reason.TUS_VERSION_UNSUPPORTED) {
                    r.header("Tus-Version", ProtocolSteps.TUS_VERSION);
                }
            }
            return r;
        }
        request.setAttribute(Requests.ADMITTED, d);
        return null;
    }

    @ResponseFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    public void completed(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String id = Requests.requestId(request);
        if (id != null) {
            response.header(Requests.HEADER, id);
        }
        AdmissionRequest admissionRequest =
                request.getAttribute(Requests.ADMISSION, AdmissionRequest.class).orElse(null);
        if (admissionRequest == null || Requests.counted(request)) {
            return;
        }
        Requests.markCounted(request);
        Decision.Admitted admitted =
                request.getAttribute(Requests.ADMITTED, Decision.Admitted.class).orElse(null);
        if (response.code() < 400) {
            admission.completed(admissionRequest, admitted, null, null, false);
            return;
        }
        Optional<Problem> problem = response.getBody(Problem.class);
        String pageReason = Requests.refusalReason(request); // a console page names its own refusal
        String reason =
                problem.map(Problem::reason).orElse(pageReason != null ? pageReason : Reason.REQUEST_ERROR.code());
        admission.completed(
                admissionRequest,
                admitted,
                reason,
                problem.map(Problem::detail).orElse(Requests.refusalMessage(request)),
                Requests.audited(request));
    }

    private static boolean wantsPage(HttpRequest<?> request) {
        String accept = request.getHeaders().get("Accept");
        return accept != null && accept.contains("text/html");
    }

    private static AdmissionRequest requestOf(HttpRequest<?> request, @Nullable RouteMatch<?> route, String requestId) {
        Access access = Access.forAnyPrincipal(); // no route matched: Micronaut answers 404/405 to a verified principal
        RouteTarget target = null;
        List<Step> protocol = new ArrayList<>();
        if (route != null) {
            AnnotationMetadata meta = route.getAnnotationMetadata();
            if (meta.hasAnnotation(RequiresRole.class)) {
                access = Access.roles(meta.enumValues(RequiresRole.class, Role.class));
            } else if (!meta.hasAnnotation(AnyPrincipal.class)) {
                access = Access.undeclared();
            }
            access = access.adminOnly(meta.hasAnnotation(AdminApi.class));
            if (meta.hasAnnotation(OnRoute.class) && route instanceof UriRouteMatch<?, ?> uri) {
                target = target(request, meta, uri);
                if (meta.booleanValue(OnRoute.class, "tus").orElse(false)) {
                    protocol.add(ProtocolSteps.tusVersion(request.getHeaders().get(ProtocolSteps.TUS_RESUMABLE)));
                }
            }
        }
        if (ConsolePage.isConsole(request.getPath())) {
            // every path of the console, matched or not: a browser carries the certificate to any of them
            protocol.add(ProtocolSteps.sameOrigin(
                    request.getMethodName(),
                    request.getHeaders().get("Origin"),
                    request.getHeaders().get("Sec-Fetch-Site"),
                    request.getHeaders().get("Sec-Fetch-Mode"),
                    request.getHeaders().get("Host")));
        }
        return new AdmissionRequest(
                Entry.API,
                Requests.connection(request),
                request.getMethodName(),
                request.getPath(),
                requestId,
                access,
                target,
                protocol);
    }

    private static RouteTarget target(HttpRequest<?> request, AnnotationMetadata meta, UriRouteMatch<?, ?> uri) {
        String variable = meta.stringValue(OnRoute.class, "variable").orElse("route");
        Object id = uri.getVariableValues().get(variable);
        OnRoute.SideRule rule =
                meta.enumValue(OnRoute.class, "side", OnRoute.SideRule.class).orElse(OnRoute.SideRule.PARTY);
        Side side = switch (rule) {
            case SENDER -> Side.SENDER;
            case RECEIVER -> Side.RECEIVER;
            case AS_QUERY ->
                "receiver".equalsIgnoreCase(request.getParameters().get("as")) ? Side.RECEIVER : Side.SENDER;
            case PARTY -> null;
        };
        String action = meta.stringValue(OnRoute.class, "action")
                .orElse(request.getMethodName().toLowerCase(java.util.Locale.ROOT));
        return new RouteTarget(id == null ? "" : id.toString(), side, action);
    }
}
