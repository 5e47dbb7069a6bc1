package jp.sekisho.cli;

/**
 * Text for people's terminals and spreadsheets: values that came from outside (certificate subjects,
 * route ids, references, error details) must not move the cursor, start a new line, ring the bell,
 * switch colours or reverse the text that follows. Renders C0 and C1 controls and DEL as
 * {@code \xHH}, the bidirectional controls, U+2028/U+2029 and lone surrogates as {@code \}{@code uHHHH},
 * and a backslash as {@code \\}, so that every rendering reads back to exactly one text. Everything
 * else (Japanese included) is kept as is.
 */
public final class Printable {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {}

    /** {@code s} made safe to print on one line; null stays null. */
    public static String of(String s) {
        return escaped(s, true);
    }

    /**
     * {@code s} made safe for one line of a log: as {@link #of}, but a backslash is kept as it is, so
     * that a value a caller already made printable reads the same in the log. Every log line goes
     * through this (the logging set-up's message and exception converters), whatever its caller did.
     */
    public static String forLog(String s) {
        return escaped(s, false);
    }

    private static String escaped(String s, boolean backslash) {
        if (s == null) {
            return null;
        }
        int n = s.length();
        int i = 0;
        while (i < n && !needsEscape(s, i, backslash)) {
            i += Character.charCount(s.codePointAt(i));
        }
        if (i == n) {
            return s;
        }
        StringBuilder out = new StringBuilder(n + 16).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(i + 1));
                i += 2;
                continue;
            }
            if (c == '\\') {
                out.append(backslash ? "\\\\" : "\\");
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else if (isBidiOrBreak(c) || Character.isSurrogate(c)) {
                out.append("\\u")
                        .append(HEX[c >> 12 & 0xf])
                        .append(HEX[c >> 8 & 0xf])
                        .append(HEX[c >> 4 & 0xf])
                        .append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    /** Any value as printable text ({@code "null"} for null, as {@code printf} would write it). */
    public static String value(Object o) {
        return o == null ? "null" : of(o.toString());
    }

    /** {@code s} printable, or {@code whenNull} (e.g. "-") when null. */
    public static String orElse(String s, String whenNull) {
        return s == null ? whenNull : of(s);
    }

    private static boolean needsEscape(String s, int i, boolean backslash) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
        }
        return (backslash && c == '\\')
                || c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || isBidiOrBreak(c)
                || Character.isSurrogate(c);
    }

    private static boolean isBidiOrBreak(char c) {
        return c == 0x061c
                || c == 0x200e
                || c == 0x200f
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069)
                || c == 0x2028
                || c == 0x2029;
    }
}
