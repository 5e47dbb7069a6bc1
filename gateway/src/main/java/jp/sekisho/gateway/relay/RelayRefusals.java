package jp.sekisho.gateway.relay;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import jp.sekisho.gateway.admission.HttpTitles;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.http.Problem;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.transfer.NettyProblems;
import jp.sekisho.gateway.transfer.TransferProblem;

/**
 * The answer to a refused relay request: a plain page in Japanese and English for a browser
 * ({@code Accept: text/html}), the gateway's RFC 9457 problem document otherwise; never cached.
 */
final class RelayRefusals {

    private RelayRefusals() {}

    static FullHttpResponse answer(Reason reason, String message, String requestId, String accept) {
        FullHttpResponse r =
                accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/html")
                        ? page(reason, requestId)
                        : NettyProblems.response(new TransferProblem(reason, message), requestId);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().remove("Tus-Resumable"); // the transfer protocol's header: not this answer's
        String retry = Problem.retryAfter(reason.code());
        if (retry != null) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, retry);
        }
        return r;
    }

    /** {@link #answer}, for a refusal after which the terminal connection closes. */
    static FullHttpResponse closing(Reason reason, String message, String requestId, String accept) {
        FullHttpResponse r = answer(reason, message, requestId, accept);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** A page with no markup from the request: the reason's fixed texts and the request id (hex). */
    private static FullHttpResponse page(Reason reason, String requestId) {
        String html = "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
                + "<title>" + esc(reason.ja()) + " / " + esc(reason.en()) + "</title></head><body>\n"
                + "<h1>アクセスできません / Access refused</h1>\n"
                + "<p lang=\"ja\">" + esc(reason.ja()) + "（" + reason.code() + "）</p>\n"
                + "<p lang=\"en\">" + esc(reason.en()) + " (" + reason.code() + ")</p>\n"
                + "<p>要求ID / Request id: <code>" + esc(requestId) + "</code></p>\n"
                + "<p lang=\"ja\">この画面は関所（Sekisho）中継ゲートウェイが表示しています。心当たりがない場合は情報システム担当へ要求IDをお知らせください。</p>\n"
                + "<p lang=\"en\">Shown by the Sekisho relay gateway. If unexpected, give the request id to your IT staff.</p>\n"
                + "</body></html>\n";
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                new HttpResponseStatus(reason.status(), HttpTitles.of(reason.status())),
                Unpooled.copiedBuffer(html, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        r.headers().set(Requests.HEADER, requestId);
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("Content-Security-Policy", "default-src 'none'");
        return r;
    }

    private static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
