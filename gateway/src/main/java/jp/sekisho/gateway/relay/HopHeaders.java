package jp.sekisho.gateway.relay;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Header hygiene at the relay (RFC 9110 7.6.1): the hop-by-hop headers of one connection are not
 * passed to the next, the terminal cannot speak for the gateway ({@code Forwarded},
 * {@code X-Forwarded-*} are replaced), and every response says {@code Cache-Control: no-store}
 * because relayed pages carry personal data. Message framing is left to Netty's codecs.
 */
final class HopHeaders {

    private static final List<String> HOP = List.of(
            "connection",
            "keep-alive",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-forwarded-port",
            "x-real-ip");

    private HopHeaders() {}

    /**
     * Cleans a request head for the upstream: hop-by-hop and forwarding headers gone, then
     * {@code Forwarded}, {@code X-Forwarded-For} and {@code Host} set by the gateway; a WebSocket
     * upgrade keeps {@code Connection: Upgrade} and {@code Upgrade: websocket}.
     */
    static void request(HttpHeaders h, InetAddress client, String proto, String upstreamHost, boolean websocket) {
        String terminalHost = h.get(HttpHeaderNames.HOST);
        boolean chunked = isChunked(h);
        strip(h);
        String ip = client.getHostAddress();
        String forIp = client instanceof Inet6Address ? "\"[" + ip + "]\"" : ip;
        StringBuilder fwd =
                new StringBuilder("for=").append(forIp).append(";proto=").append(proto);
        if (terminalHost != null && !terminalHost.isEmpty()) {
            fwd.append(";host=\"").append(quotedText(terminalHost)).append('"');
        }
        h.set("Forwarded", fwd.toString());
        h.set("X-Forwarded-For", ip);
        h.set("X-Forwarded-Proto", proto);
        h.set(HttpHeaderNames.HOST, upstreamHost);
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // this hop's framing, for the encoder
        }
        if (websocket) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
    }

    /** Cleans a response head for the terminal; the caller sets framing and keep-alive for its hop. */
    static void response(HttpHeaders h, boolean websocket) {
        strip(h);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (websocket) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
    }

    static boolean isChunked(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
    }

    private static void strip(HttpHeaders h) {
        List<String> named = new ArrayList<>();
        for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    named.add(t);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : h) {
            String n = e.getKey().toLowerCase(Locale.ROOT);
            if (HOP.contains(n) || n.startsWith("proxy-") || named.contains(n)) {
                names.add(e.getKey());
            }
        }
        names.forEach(h::remove);
    }

    /** A value inside a quoted-string: backslash and double quote escaped, controls dropped. */
    private static String quotedText(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && i < 255; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            if (c >= 0x20 && c != 0x7f) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
