package jp.sekisho.gateway.input;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The request target (path and query) as it came on the request line, judged before anything decodes
 * it: a bounded length, no raw space or control, well-formed percent-escapes that decode to UTF-8 without
 * controls or bidi marks; then the ids the path names ({@link Ids}) by the segment they follow.
 */
public final class RequestTarget {

    /** Longest path accepted (the ids in it are far shorter). */
    public static final int MAX_PATH = 2048;
    /** Longest query accepted (the audit search has the longest). */
    public static final int MAX_QUERY = 4096;

    /** What is wrong with a target: the reason family and a message in English. */
    public record Problem(boolean id, String message) {}

    private RequestTarget() {}

    /** The first problem of {@code uri} (origin form, as on the request line), or empty. */
    public static Optional<Problem> check(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        if (path.length() > MAX_PATH) {
            return path("the path is longer than " + MAX_PATH + " characters");
        }
        if (query.length() > MAX_QUERY) {
            return path("the query is longer than " + MAX_QUERY + " characters");
        }
        if (!path.startsWith("/")) {
            return path("the path does not start with /");
        }
        List<String> segments = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            String s;
            try {
                s = decode(raw, false);
            } catch (IllegalArgumentException e) {
                return path("the path " + e.getMessage());
            }
            segments.add(s);
        }
        for (String part : query.split("[&=]", -1)) {
            try {
                decode(part, true);
            } catch (IllegalArgumentException e) {
                return path("the query " + e.getMessage());
            }
        }
        return ids(segments).map(m -> new Problem(true, m));
    }

    /** The ids a path names: the segment after routes, uploads/transfers, approvals. */
    static Optional<String> ids(List<String> segments) {
        for (int i = 0; i + 1 < segments.size(); i++) {
            String next = segments.get(i + 1);
            if (next.isEmpty() && i + 2 == segments.size()) {
                break; // a trailing slash names nothing
            }
            Ids kind = switch (segments.get(i)) {
                case "routes" -> Ids.ROUTE;
                case "uploads", "transfers" -> Ids.TRANSFER;
                case "approvals" -> Ids.APPROVAL_REF;
                default -> null;
            };
            if (kind != null) {
                Optional<String> p = kind.problem(next);
                if (p.isPresent()) {
                    return p;
                }
                i++;
            }
        }
        return Optional.empty();
    }

    private static Optional<Problem> path(String message) {
        return Optional.of(new Problem(false, message));
    }

    /**
     * Percent-decodes one segment strictly ({@code +} is a space in a query only).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    /** One path segment decoded as the guard judged it (for the relay's path rules). */
    public static String decodeSegment(String raw) {
        return decode(raw, false);
    }

    /** A query name or value decoded as the guard judged it ({@code +} is a space). */
    public static String decodeQueryPart(String raw) {
        return decode(raw, true);
    }

    static String decode(String raw, boolean query) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            // the HTTP decoder hands each byte of the request line over as one char: bytes above 0x7f are
            // UTF-8 sent unescaped (curl sends them so), judged with the escaped ones below
            if (c <= 0x20 || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("holds a character that must be percent-encoded");
            }
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw new IllegalArgumentException("holds a malformed percent-escape");
                }
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(query && c == '+' ? ' ' : c);
            }
        }
        String s;
        try {
            s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("is not UTF-8 once decoded", e);
        }
        int bad = Text.firstForbidden(s, "");
        if (bad >= 0) {
            throw new IllegalArgumentException("holds " + Text.describe(bad) + " (a control character or bidi mark)");
        }
        return s;
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
