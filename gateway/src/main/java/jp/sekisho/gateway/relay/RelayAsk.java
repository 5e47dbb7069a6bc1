package jp.sekisho.gateway.relay;

import java.net.InetAddress;
import java.time.Instant;
import jp.sekisho.gateway.identity.Principal;

/**
 * One relay request as admission sees it: the request head's facts, nothing of its body.
 *
 * @param principal     the verified client certificate's principal (mtls), else null
 * @param path          the path without its query
 * @param contentLength the declared Content-Length, or -1 (none, or chunked)
 * @param websocket     the request asks for {@code Upgrade: websocket}
 */
public record RelayAsk(
        String listener,
        InetAddress client,
        Principal principal,
        String method,
        String path,
        long contentLength,
        boolean websocket,
        Instant now) {}
