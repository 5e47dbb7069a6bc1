package jp.sekisho.client.transfer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** URL path pieces. */
final class Paths {

    private Paths() {}

    /** One path segment, percent-encoded (route ids and transfer ids are plain, but never trust that). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
