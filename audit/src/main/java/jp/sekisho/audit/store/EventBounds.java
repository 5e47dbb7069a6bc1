package jp.sekisho.audit.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import jp.sekisho.audit.AuditEvent;
import jp.sekisho.audit.AuditPrincipal;
import jp.sekisho.audit.chain.Hex;
import jp.sekisho.audit.json.Json;

/**
 * Makes every event storable instead of refusing it: an attacker chooses certificate subjects, route
 * ids and references, and an event the store refuses is a decision nobody can see. Text longer than
 * the bound is cut with a visible marker that keeps the original's length and SHA-256, NUL (which
 * PostgreSQL text cannot hold) and unpaired surrogates (which UTF-8 cannot) are replaced visibly, and a
 * detail that is too long or not one JSON value is replaced by a bounded JSON object saying so. The
 * result is what is stored and chained.
 */
public final class EventBounds {

    public static final int MAX_TEXT_CHARS = EventValidator.MAX_TEXT_CHARS;
    public static final int MAX_DETAIL_CHARS = EventValidator.MAX_DETAIL_CHARS;
    /** Shown in place of NUL: U+2400 SYMBOL FOR NULL. */
    static final char NUL_MARK = '\u2400';
    /** Shown in place of an unpaired surrogate. */
    static final char BAD_MARK = '\uFFFD';
    /** How much of an over-long or invalid detail is kept, as a JSON string, so the result stays bounded. */
    private static final int DETAIL_PREFIX_CHARS = 512;

    private EventBounds() {}

    public static AuditEvent bound(AuditEvent e) {
        AuditPrincipal p = e.principal();
        AuditPrincipal principal =
                p == null ? null : new AuditPrincipal(text(p.subject()), text(p.serial()), text(p.sha256()));
        return new AuditEvent(
                e.type(),
                e.outcome(),
                text(e.reason()),
                principal,
                e.sourceIp(),
                e.sourcePort(),
                e.listenerPort(),
                text(e.routeId()),
                text(e.approvalRef()),
                text(e.transferId()),
                e.bytes(),
                text(e.payloadSha256()),
                text(e.requestId()),
                detail(e.detailJson()));
    }

    /**
     * {@code s} with NUL and unpaired surrogates replaced, cut to {@link #MAX_TEXT_CHARS} with the marker
     * {@code …[truncated: N chars, sha256=HEX]} (N and HEX of the original as given) when longer.
     */
    public static String text(String s) {
        if (s == null) {
            return null;
        }
        String clean = clean(s);
        if (clean.length() <= MAX_TEXT_CHARS) {
            return clean;
        }
        String marker = "\u2026[truncated: " + s.length() + " chars, sha256=" + sha256(s) + "]";
        return prefix(clean, MAX_TEXT_CHARS - marker.length()) + marker;
    }

    /** The detail as given when it is one JSON value within the bound, else a bounded object describing it. */
    static String detail(String json) {
        if (json == null) {
            return null;
        }
        String problem;
        if (json.length() > MAX_DETAIL_CHARS) {
            problem = "longer than " + MAX_DETAIL_CHARS + " characters";
        } else {
            try {
                Json.parse(json);
                return json;
            } catch (IllegalArgumentException ex) {
                problem = text(ex.getMessage());
            }
        }
        StringBuilder out = new StringBuilder("{\"detailReplaced\":");
        Json.quote(out, problem);
        out.append(",\"chars\":")
                .append(json.length())
                .append(",\"sha256\":\"")
                .append(sha256(json))
                .append("\",\"prefix\":");
        Json.quote(out, prefix(clean(json), DETAIL_PREFIX_CHARS));
        return out.append('}').toString();
    }

    private static String clean(String s) {
        StringBuilder out = null;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            char r = c;
            if (c == '\0') {
                r = NUL_MARK;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            } else if (Character.isSurrogate(c)) {
                r = BAD_MARK;
            }
            if (r != c && out == null) {
                out = new StringBuilder(n).append(s, 0, i);
            }
            if (out != null) {
                out.append(r);
            }
        }
        return out == null ? s : out.toString();
    }

    /** At most {@code max} chars of {@code s}, never ending in half a surrogate pair. */
    private static String prefix(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    private static String sha256(String s) {
        try {
            return Hex.of(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
