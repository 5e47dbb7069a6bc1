package jp.sekisho.gateway.http;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import jp.sekisho.gateway.admission.Reason;

/**
 * Label values kept to bounded sets, so a client can neither add series nor break the exposition
 * format: an unknown method is OTHER, a reason code must look like one (another module's codes, e.g.
 * the envelope's, pass), a name (listener, route) is cut to 64 characters of a safe alphabet.
 */
final class MetricLabels {

    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");
    private static final Set<String> OUTCOMES = Set.of("ALLOW", "DENY", "ERROR");
    private static final Set<String> STAGES = Set.of(
            "edge",
            "tls",
            "request",
            "relay",
            "protocol",
            "payload",
            "policy",
            "deletion_report",
            "transfer_end",
            "server",
            "other");
    private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private MetricLabels() {}

    static String method(String m) {
        String u = m == null ? "" : m.toUpperCase(Locale.ROOT);
        return METHODS.contains(u) ? u : "OTHER";
    }

    static String outcome(String o) {
        return OUTCOMES.contains(o) ? o : "ERROR";
    }

    static String reason(String r) {
        return r != null && CODE.matcher(r).matches() ? r : "OTHER";
    }

    static String name(String n) {
        return n != null && NAME.matcher(n).matches() ? n : "-";
    }

    /** The stage of a gateway reason code, or {@code fallback} for a code the gateway does not define. */
    static String stage(String reason, String fallback) {
        return Reason.of(reason)
                .map(r -> r.stage().name().toLowerCase(Locale.ROOT))
                .orElse(fallback);
    }

    static String stage(String s) {
        return s != null && STAGES.contains(s) ? s : "other";
    }
}
