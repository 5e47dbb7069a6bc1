package jp.sekisho.gateway.transfer;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Path segments the Netty handlers take from the URI themselves (Micronaut decodes its own). */
final class NettyPaths {

    private NettyPaths() {}

    /** The URL-decoded segment; a malformed escape is kept as it came (it then names no route). */
    static String decode(String segment) {
        try {
            return URLDecoder.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
