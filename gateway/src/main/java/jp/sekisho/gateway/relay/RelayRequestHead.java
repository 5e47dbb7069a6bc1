package jp.sekisho.gateway.relay;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;

/**
 * What a terminal's request head becomes at the relay: the exchange its RELAY_REQUEST event
 * describes, the question {@link RelayAdmission} answers, and, once admitted, the head the upstream
 * gets. Decides nothing itself.
 */
final class RelayRequestHead {

    private RelayRequestHead() {}

    /** The request's exchange, with a new request id. */
    static RelayExchange exchange(ConnectionInfo info, HttpRequest head) {
        return new RelayExchange(
                Requests.newRequestId(),
                info.listener(),
                info.listenerPort(),
                info.clientIp(),
                info.client().getPort(),
                info.principal() == null ? null : info.principal().toAudit(),
                head.method().name(),
                head.uri());
    }

    static boolean websocket(HttpRequest head) {
        return head.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** The head's facts as admission sees them. */
    static RelayAsk ask(ConnectionInfo info, HttpRequest head, RelayExchange x, boolean websocket, Instant now) {
        return new RelayAsk(
                info.listener(),
                info.client().getAddress(),
                info.principal(),
                head.method().name(),
                x.path,
                HttpUtil.getContentLength(head, -1L),
                websocket,
                now);
    }

    /** The admitted head for the upstream: HTTP/1.1, hop-by-hop headers gone, the gateway's forwarding headers. */
    static HttpRequest upstream(
            HttpRequest head, ConnectionInfo info, String proto, RelayRoute route, boolean websocket) {
        HttpRequest out = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1, head.method(), head.uri(), head.headers().copy());
        HopHeaders.request(
                out.headers(),
                info.client().getAddress(),
                proto,
                route.upstream().hostHeader(),
                websocket);
        return out;
    }
}
