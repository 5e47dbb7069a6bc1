package jp.sekisho.gateway.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * An id (approval reference, route id) as one segment of a console path: percent-encoded, since a
 * reference may hold any letter and most punctuation (8福第301号, R-1 #2); the template then
 * HTML-escapes the link.
 */
public final class PathSegment {

    private PathSegment() {}

    public static String encode(String s) {
        // URLEncoder is form encoding: a space becomes '+', which a path reads as '+'
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
