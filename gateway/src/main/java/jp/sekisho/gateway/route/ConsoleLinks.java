package jp.sekisho.gateway.route;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Console paths that carry an id: each id percent-encoded as one path segment (the template then HTML-escapes). */
public final class ConsoleLinks {

    private ConsoleLinks() {}

    public static String route(String id) {
        return "/console/routes/" + segment(id);
    }

    /** An approval reference may hold any letter and most punctuation (8福第301号, R-1 #2). */
    public static String approval(String ref) {
        return "/console/approvals/" + segment(ref);
    }

    static String segment(String s) {
        // URLEncoder is form encoding: a space becomes '+', which a path reads as '+'
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
