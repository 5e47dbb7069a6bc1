package jp.sekisho.gateway.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.util.LinkedHashMap;
import java.util.Map;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.AnyPrincipal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/** Health and Prometheus metrics, on the admin listener only. */
@Controller
public final class HealthController {

    private final GatewayInfo info;
    private final Metrics metrics;

    public HealthController(GatewayInfo info, Metrics metrics) {
        this.info = info;
        this.metrics = metrics;
    }

    @Get("/health")
    @AdminApi
    @AnyPrincipal
    public Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "UP");
        m.put("node", info.nodeId());
        return m;
    }

    @Get("/metrics")
    @AdminApi
    @RequiresRole({Role.OPERATOR, Role.AUDITOR})
    @Produces(Metrics.CONTENT_TYPE)
    public HttpResponse<String> metrics() {
        return HttpResponse.ok(metrics.render()).contentType(MediaType.of(Metrics.CONTENT_TYPE));
    }
}
