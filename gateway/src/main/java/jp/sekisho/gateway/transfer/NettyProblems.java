package jp.sekisho.gateway.transfer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import jp.sekisho.audit.json.Json;

/**
 * The RFC 9457 answers of the handlers that serve transfers on Netty directly ({@link TusPatchHandler},
 * {@link PayloadHandler}), in the same shape as the Micronaut routes' problems; each handler adds its
 * own headers.
 */
final class NettyProblems {

    private NettyProblems() {
    }

    static FullHttpResponse response(TransferProblem e, String requestId) {
        StringBuilder sb = new StringBuilder("{");
        Json.quote(sb, "type").append(':');
        Json.quote(sb, "urn:sekisho:problem:" + e.reason()).append(',');
        Json.quote(sb, "title").append(':');
        Json.quote(sb, TransferHttp.title(e.status())).append(',');
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
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(e.status(), TransferHttp.title(e.status())),
                Unpooled.copiedBuffer(sb, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /** A request id in the form the Micronaut routes use. */
    static String newRequestId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
