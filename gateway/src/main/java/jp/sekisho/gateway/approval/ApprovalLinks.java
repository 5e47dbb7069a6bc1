package jp.sekisho.gateway.approval;

import jp.sekisho.gateway.console.PathSegment;

/**
 * The console's approval paths. A reference may hold any letter and most punctuation (8福第301号,
 * R-1 #2), so it is percent-encoded as one path segment; the template then HTML-escapes the link.
 */
public final class ApprovalLinks {

    public static final String LIST = "/console/approvals";
    public static final String NEW = LIST + "/new";

    private ApprovalLinks() {}

    public static String detail(String ref) {
        return LIST + "/" + PathSegment.encode(ref);
    }

    public static String decision(String ref) {
        return detail(ref) + "/decision";
    }

    public static String confirm(String ref) {
        return detail(ref) + "/confirm";
    }

    /** The approval's council report (admin API, docs/reports.md) in {@code format} (html, pdf, md) and language. */
    public static String report(String ref, String format, String lang) {
        return REPORTS + "/approvals/" + PathSegment.encode(ref) + "?format=" + format + "&lang=" + lang;
    }

    /** The reports across approvals: {@code /period?from&to&format}, the target of the console's yearly form. */
    public static final String REPORTS = "/api/v1/reports";

    public static final String PERIOD_REPORT = REPORTS + "/period";
}
