package jp.sekisho.gateway.http;

import io.micronaut.http.HttpRequest;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.policy.Caller;

/** Turns a request and its verified principal into the {@link Caller} the use cases audit. */
public final class Callers {

    private Callers() {}

    public static Caller of(HttpRequest<?> request, Principal principal) {
        ConnectionInfo c = Requests.connection(request);
        return new Caller(
                principal.toAudit(),
                c == null ? null : c.clientIp(),
                c == null ? null : c.client().getPort(),
                c == null ? null : c.listenerPort(),
                Requests.requestId(request));
    }
}
