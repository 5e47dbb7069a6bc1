package jp.sekisho.gateway.http;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.identity.Principal;

/** Per-request facts the gateway attaches: request id, connection, principal, what admission decided. */
public final class Requests {

    public static final String REQUEST_ID = "sekisho.requestId";
    public static final String HEADER = "X-Request-Id";
    /** The AdmissionRequest built for the request. */
    public static final String ADMISSION = "sekisho.admission";
    /** The Decision.Admitted of an admitted request. */
    public static final String ADMITTED = "sekisho.admitted";

    private static final String COUNTED = "sekisho.counted";
    private static final String REFUSAL_REASON = "sekisho.refusal.reason";
    private static final String REFUSAL_MESSAGE = "sekisho.refusal.message";
    private static final String AUDITED = "sekisho.audited";

    private Requests() {}

    /** A new request id: 96 random bits in hex, the form every entry point uses. */
    public static String newRequestId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Nullable
    public static String requestId(HttpRequest<?> request) {
        return request == null
                ? null
                : request.getAttribute(REQUEST_ID, String.class).orElse(null);
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

    /** The refusal this request is answered with was already written to the audit log by the service that refused it. */
    public static void markAudited(HttpRequest<?> request) {
        request.setAttribute(AUDITED, true);
    }

    public static boolean audited(HttpRequest<?> request) {
        return request.getAttribute(AUDITED, Boolean.class).isPresent();
    }

    /** The request's outcome was counted (admission refused it): the answer is not counted again. */
    public static void markCounted(HttpRequest<?> request) {
        request.setAttribute(COUNTED, true);
    }

    public static boolean counted(HttpRequest<?> request) {
        return request.getAttribute(COUNTED, Boolean.class).isPresent();
    }

    /**
     * The reason of a refusal answered with something other than a problem document (a console
     * page): admission records it with this reason rather than REQUEST_ERROR.
     */
    public static void refusal(HttpRequest<?> request, String reasonCode, @Nullable String message) {
        request.setAttribute(REFUSAL_REASON, reasonCode);
        if (message != null) {
            request.setAttribute(REFUSAL_MESSAGE, message);
        }
    }

    @Nullable
    public static String refusalReason(HttpRequest<?> request) {
        return request.getAttribute(REFUSAL_REASON, String.class).orElse(null);
    }

    @Nullable
    public static String refusalMessage(HttpRequest<?> request) {
        return request.getAttribute(REFUSAL_MESSAGE, String.class).orElse(null);
    }
}
