package jp.sekisho.audit.store;

import java.util.regex.Pattern;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.json.Json;

/**
 * Rejects events the store could not write, at the caller, before they are queued: a bad value in a
 * batch would otherwise stall every event behind it. Runs after {@link EventBounds}, which makes any
 * text and detail storable, so what is left to refuse here is a programming error (a source address
 * that is not an address).
 */
final class EventValidator {

    static final int MAX_DETAIL_CHARS = 8192;
    static final int MAX_TEXT_CHARS = 1024;
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private EventValidator() {}

    static void check(AuditEvent e) {
        String ip = e.sourceIp();
        if (ip != null
                && !(IPV4.matcher(ip).matches()
                        || (ip.contains(":") && IPV6.matcher(ip).matches()))) {
            throw new IllegalArgumentException("sourceIp is not an IP address literal: " + ip);
        }
        if (ip != null && ip.contains(":")) {
            try {
                java.net.InetAddress.getByName(ip); // a literal by the pattern above, so no DNS lookup
            } catch (java.net.UnknownHostException ex) {
                throw new IllegalArgumentException("sourceIp is not an IP address literal: " + ip);
            }
        }
        if (e.detailJson() != null) {
            if (e.detailJson().length() > MAX_DETAIL_CHARS) {
                throw new IllegalArgumentException("detailJson longer than " + MAX_DETAIL_CHARS + " characters");
            }
            try {
                Json.parse(e.detailJson());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("detailJson: " + ex.getMessage());
            }
        }
        for (String s : new String[] {
            e.reason(),
            e.routeId(),
            e.approvalRef(),
            e.transferId(),
            e.payloadSha256(),
            e.requestId(),
            e.principal() == null ? null : e.principal().subject()
        }) {
            if (s != null && (s.length() > MAX_TEXT_CHARS || s.indexOf('\0') >= 0)) {
                throw new IllegalArgumentException(
                        "a text field is longer than " + MAX_TEXT_CHARS + " characters or holds NUL");
            }
        }
    }
}
