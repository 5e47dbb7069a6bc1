package jp.sekisho.gateway.relay;

import java.util.ArrayList;
import java.util.List;
import jp.sekisho.gateway.input.RequestTarget;

/**
 * The path of a relayed request, as the route's path prefixes judge it. The prefix check is only a
 * promise if the gateway and the upstream read the path the same way, so a path that two servers
 * could read differently is refused (PATH_INVALID) rather than guessed at: a dot segment
 * ({@code /payroll/../admin}, {@code %2e%2e}, Tomcat's {@code ..;x}), an encoded slash or
 * backslash ({@code %2f}, {@code %5c}), a raw backslash, an empty segment ({@code //}, which nginx
 * merges). What passes is compared decoded, so {@code /pay%72oll/} is under {@code /payroll/}.
 */
public final class RelayPath {

    /** A path as decoded for the prefix check, or the problem that refuses it. */
    public sealed interface Judged {
        record Ok(String decoded) implements Judged {}

        record Invalid(String message) implements Judged {}
    }

    private RelayPath() {}

    /** Judges the path part (no query) of a request target already passed by the request guard. */
    public static Judged judge(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return new Judged.Invalid("the path does not start with /");
        }
        if (rawPath.indexOf('\\') >= 0) {
            return new Judged.Invalid("the path holds a backslash");
        }
        String[] raw = rawPath.substring(1).split("/", -1);
        List<String> decoded = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String lower = raw[i].toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("%2f") || lower.contains("%5c")) {
                return new Judged.Invalid("the path holds an encoded slash or backslash");
            }
            String s;
            try {
                s = RequestTarget.decodeSegment(raw[i]);
            } catch (IllegalArgumentException e) {
                return new Judged.Invalid("the path " + e.getMessage());
            }
            if (s.isEmpty() && i < raw.length - 1) {
                return new Judged.Invalid("the path holds an empty segment (//)");
            }
            int semi = s.indexOf(';');
            String bare = semi < 0 ? s : s.substring(0, semi);
            if (bare.equals(".") || bare.equals("..")) {
                return new Judged.Invalid("the path holds a dot segment (. or ..)");
            }
            decoded.add(s);
        }
        return new Judged.Ok("/" + String.join("/", decoded));
    }

    /** The query's parameter names (never values: they can hold personal data), decoded, at most 32. */
    public static List<String> queryNames(String query) {
        if (query == null || query.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String d;
            try {
                d = RequestTarget.decodeQueryPart(name);
            } catch (IllegalArgumentException e) {
                d = "?";
            }
            if (!names.contains(d)) {
                names.add(d.length() > 64 ? d.substring(0, 64) + "…" : d);
            }
            if (names.size() == 32) {
                break;
            }
        }
        return List.copyOf(names);
    }
}
