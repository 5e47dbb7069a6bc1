package jp.sekisho.gateway.transfer;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import jp.sekisho.audit.json.Json;
import jp.sekisho.audit.store.StoreOutage;
import jp.sekisho.gateway.admission.HttpTitles;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;

/**
 * The RFC 9457 answers of the handlers that serve transfers on Netty directly ({@link TusPatchHandler},
 * {@link PayloadHandler}, and the request guard in front of them), in the same shape and with the same headers as {@link TransferHttp} gives
 * the Micronaut routes' problems.
 */
public final class NettyProblems {

    private NettyProblems() {}

    public static FullHttpResponse response(TransferProblem e, String requestId) {
        String title = HttpTitles.of(e.status());
        StringBuilder sb = new StringBuilder("{");
        Json.quote(sb, "type").append(':');
        Json.quote(sb, "urn:sekisho:problem:" + e.reason()).append(',');
        Json.quote(sb, "title").append(':');
        Json.quote(sb, title).append(',');
        sb.append("\"status\":").append(e.status()).append(',');
        Json.quote(sb, "reason").append(':');
        Json.quote(sb, e.reason());
        if (e.getMessage() != null) {
            sb.append(',');
            Json.quote(sb, "detail").append(':');
            Json.quote(sb, e.getMessage());
        }
        sb.append(',');
        Json.quote(sb, "requestId").append(':');
        Json.quote(sb, requestId).append('}');
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                new HttpResponseStatus(e.status(), title),
                Unpooled.copiedBuffer(sb, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(Requests.HEADER, requestId);
        Tus.problemHeaders(e, r.headers()::set);
        return r;
    }

    /** The answer when the audit log cannot record the request: fail closed. */
    public static TransferProblem auditUnavailable() {
        return new TransferProblem(Reason.AUDIT_UNAVAILABLE, "the audit log cannot record this request now");
    }

    /**
     * The answer to a failure no one expected: AUDIT_UNAVAILABLE when it is a store outage (see
     * {@link StoreOutage}: the client should retry later), else INTERNAL_ERROR.
     */
    public static TransferProblem unexpected(Throwable e) {
        return StoreOutage.is(e) ? auditUnavailable() : new TransferProblem(Reason.INTERNAL_ERROR, null);
    }
}
