package jp.sekisho.gateway.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.identity.Principal;

/** Per-request facts the gateway attaches: request id, connection, principal. */
public final class Requests {

    public static final String REQUEST_ID = "sekisho.requestId";
    public static final String HEADER = "X-Request-Id";

    private Requests() {
    }

    @Nullable
    public static String requestId(HttpRequest<?> request) {
        return request == null ? null : request.getAttribute(REQUEST_ID, String.class).orElse(null);
    }

    /** The connection the request arrived on (listener, client address, principal), or null. */
    @Nullable
    public static ConnectionInfo connection(HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> netty) {
            return ConnectionInfo.of(netty.getChannelHandlerContext().channel());
        }
        return null;
    }

    /** The verified principal of the request's connection, or null. */
    @Nullable
    public static Principal principal(HttpRequest<?> request) {
        ConnectionInfo c = connection(request);
        return c == null ? null : c.principal();
    }
}
