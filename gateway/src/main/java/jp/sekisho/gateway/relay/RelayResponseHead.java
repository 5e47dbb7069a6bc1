package jp.sekisho.gateway.relay;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import jp.sekisho.gateway.http.Requests;

/**
 * The upstream's response head made fit for the terminal's connection: hop-by-hop headers gone
 * ({@link HopHeaders}), HTTP/1.1, the request id, and framing the terminal can read: a body of
 * unknown length goes chunked, or, to an HTTP/1.0 terminal, ends with the connection.
 */
final class RelayResponseHead {

    private RelayResponseHead() {}

    /**
     * Rewrites {@code head} in place.
     *
     * @param closeAfter  the terminal connection was already to close after this response
     * @param requestDone the terminal's request body has ended (else the connection cannot be reused)
     * @return whether the terminal connection closes after this response
     */
    static boolean frame(HttpResponse head, RelayExchange ex, boolean http10, boolean closeAfter, boolean requestDone) {
        int code = head.status().code();
        boolean upgrade = code == 101;
        HopHeaders.response(head.headers(), upgrade);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        head.headers().set(Requests.HEADER, ex.requestId);
        if (upgrade) {
            return closeAfter;
        }
        boolean close = closeAfter;
        boolean bodyless = ex.method.equals(HttpMethod.HEAD.name()) || code == 204 || code == 304;
        if (!bodyless && !HttpUtil.isContentLengthSet(head)) {
            if (http10) {
                close = true; // the end of the body is the end of the connection
            } else {
                HttpUtil.setTransferEncodingChunked(head, true);
            }
        }
        if (close || !requestDone) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return true;
        }
        if (http10) {
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return false;
    }
}
