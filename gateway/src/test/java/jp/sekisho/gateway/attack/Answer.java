package jp.sekisho.gateway.attack;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the gateway did with one hostile input: an HTTP answer (status 0 when none came), whether
 * the connection was closed afterwards, what else arrived after the first answer (a smuggled
 * request's answer), whether the TLS handshake failed, and the client's local port (which the
 * connection-level audit events name).
 */
record Answer(
        int status,
        Map<String, String> headers,
        String body,
        boolean closed,
        String after,
        boolean handshakeFailed,
        int localPort) {

    private static final Pattern REASON = Pattern.compile("\"reason\":\"([A-Z_]+)\"");
    private static final Pattern REQUEST_ID = Pattern.compile("\"requestId\":\"([0-9a-f]{24})\"");

    static Answer handshakeFailure(int localPort) {
        return new Answer(0, Map.of(), "", true, "", true, localPort);
    }

    /** The problem+json's reason, or null. */
    String reason() {
        Matcher m = REASON.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /** The request id of the problem answer (body, else X-Request-Id), or null. */
    String requestId() {
        Matcher m = REQUEST_ID.matcher(body);
        return m.find() ? m.group(1) : headers.get("x-request-id");
    }

    @Override
    public String toString() {
        return "status " + status + (closed ? ", closed" : ", open") + (handshakeFailed ? ", handshake failed" : "")
                + ", body " + (body.length() > 400 ? body.substring(0, 400) + "…" : body)
                + (after.isEmpty() ? "" : ", then " + after);
    }
}
