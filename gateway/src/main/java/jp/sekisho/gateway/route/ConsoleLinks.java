package jp.sekisho.gateway.route;

import jp.sekisho.gateway.approval.ApprovalLinks;
import jp.sekisho.gateway.console.PathSegment;

/** Console paths that carry an id: each id percent-encoded as one path segment (the template then HTML-escapes). */
public final class ConsoleLinks {

    private ConsoleLinks() {}

    public static String route(String id) {
        return "/console/routes/" + PathSegment.encode(id);
    }

    /** An approval reference may hold any letter and most punctuation (8福第301号, R-1 #2). */
    public static String approval(String ref) {
        return ApprovalLinks.detail(ref);
    }
}
